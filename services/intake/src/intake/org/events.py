"""From intake's organisation records to the events other services read."""

from gegenstrom_contracts.org import (
    DepartmentInfo,
    EmployeeAssignmentChanged,
    OrgStructureChanged,
    ProcessInfo,
    RoleInfo,
    SiteInfo,
)
from intake.org.model import OrgData, downstream_of
from intake.org.repository import EmployeeChange


def structure_event(org: OrgData, version: int) -> OrgStructureChanged:
    downstream = downstream_of(org.processes)
    return OrgStructureChanged(
        structure_version=version,
        sites=[SiteInfo(**s.model_dump()) for s in org.sites.values()],
        departments=[DepartmentInfo(**d.model_dump()) for d in org.departments.values()],
        processes=[
            ProcessInfo(**p.model_dump(), downstream_ids=downstream[p.process_id])
            for p in org.processes.values()
        ],
        roles=[RoleInfo(**r.model_dump()) for r in org.roles.values()],
    )


def assignment_event(change: EmployeeChange, manager_id: str | None) -> EmployeeAssignmentChanged:
    """Structured assignment only: no name, no e-mail address, no personnel number."""
    e = change.employee
    return EmployeeAssignmentChanged(
        employee_id=change.employee_id,
        status=change.status,
        site_id=e.site_id,
        department_id=e.department_id,
        role_id=e.role_id,
        process_id=e.process_id,
        manager_id=manager_id,
    )
