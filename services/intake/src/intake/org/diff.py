"""What an import would change: new, changed and removed records per kind."""

from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict

from intake.org.model import OrgData, OrgRecord


class KindDiff(BaseModel):
    """Ids that are new, changed or removed (each sorted), and how many stay as they are."""

    model_config = ConfigDict(frozen=True)

    new: list[str] = []
    changed: list[str] = []
    removed: list[str] = []
    unchanged: int = 0

    def is_empty(self) -> bool:
        """True when nothing of this kind would change."""
        return not (self.new or self.changed or self.removed)


class EmployeeDiff(BaseModel):
    """As KindDiff, but people missing from the new file have left the company."""

    model_config = ConfigDict(frozen=True)

    new: list[str] = []
    changed: list[str] = []
    left: list[str] = []
    unchanged: int = 0

    def is_empty(self) -> bool:
        """True when no employee would be added, changed or marked as left."""
        return not (self.new or self.changed or self.left)


class OrgDiff(BaseModel):
    """The changes per kind from the current to the desired organisation."""

    model_config = ConfigDict(frozen=True)

    sites: KindDiff
    departments: KindDiff
    processes: KindDiff
    roles: KindDiff
    employees: EmployeeDiff

    def by_kind(self) -> dict[str, KindDiff | EmployeeDiff]:
        """Each kind (the fields, in the order of KINDS) with its diff."""
        return {kind: getattr(self, kind) for kind in type(self).model_fields}

    def is_empty(self) -> bool:
        """True when the import would change nothing at all."""
        return all(kind.is_empty() for kind in self.by_kind().values())


def diff_org(current: OrgData, desired: OrgData) -> OrgDiff:
    """Compare two organisations kind by kind."""
    return OrgDiff(
        sites=_diff(current.sites, desired.sites),
        departments=_diff(current.departments, desired.departments),
        processes=_diff(current.processes, desired.processes),
        roles=_diff(current.roles, desired.roles),
        employees=_employee_diff(current, desired),
    )


def _diff(current: Mapping[str, OrgRecord], desired: Mapping[str, OrgRecord]) -> KindDiff:
    """New, changed, removed and unchanged records of one kind."""
    both = current.keys() & desired.keys()
    changed = sorted(key for key in both if current[key] != desired[key])
    return KindDiff(
        new=sorted(desired.keys() - current.keys()),
        changed=changed,
        removed=sorted(current.keys() - desired.keys()),
        unchanged=len(both) - len(changed),
    )


def _employee_diff(current: OrgData, desired: OrgData) -> EmployeeDiff:
    """The employees' diff, with the removed named as having left."""
    diff = _diff(current.employees, desired.employees)
    return EmployeeDiff(
        new=diff.new, changed=diff.changed, left=diff.removed, unchanged=diff.unchanged
    )
