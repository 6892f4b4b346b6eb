"""Organisation events that intake publishes: structure and employees' assignments.

Names of sites, departments, processes and roles are company data, not personal data.
Employees appear by pseudonymous id only; names and e-mail addresses stay in intake.
"""

from enum import StrEnum
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from gegenstrom_contracts import topics
from gegenstrom_contracts.envelope import Event
from gegenstrom_contracts.types import PseudonymousId, Ref, Version

STRUCTURE_KEY = "org"


class SiteInfo(BaseModel):
    model_config = ConfigDict(frozen=True)
    site_id: Ref
    name: str
    country: str = Field(pattern=r"^[A-Z]{2}$")
    language: str = Field(pattern=r"^[a-z]{2}$")
    time_zone: str


class DepartmentInfo(BaseModel):
    model_config = ConfigDict(frozen=True)
    department_id: Ref
    name: str
    site_id: Ref | None = None


class ProcessInfo(BaseModel):
    model_config = ConfigDict(frozen=True)
    process_id: Ref
    name: str
    upstream_ids: list[Ref] = Field(default_factory=list)
    downstream_ids: list[Ref] = Field(default_factory=list)


class RoleInfo(BaseModel):
    model_config = ConfigDict(frozen=True)
    role_id: Ref
    name: str


class OrgStructureChanged(Event):
    """The whole organisation structure after a change; consumers replace their copy."""

    event_type: ClassVar[str] = "org.gegenstrom.intake.org-structure-changed.v1"
    topic: ClassVar[topics.Topic] = topics.ORG_STRUCTURE

    structure_version: Version
    sites: list[SiteInfo]
    departments: list[DepartmentInfo]
    processes: list[ProcessInfo]
    roles: list[RoleInfo]

    def subject(self) -> str:
        return STRUCTURE_KEY


class EmploymentStatus(StrEnum):
    ACTIVE = "active"
    LEFT = "left"


class EmployeeAssignmentChanged(Event):
    """An employee joined, moved (site, department, role, process step, manager) or left."""

    event_type: ClassVar[str] = "org.gegenstrom.intake.employee-assignment-changed.v1"
    topic: ClassVar[topics.Topic] = topics.EMPLOYEE

    employee_id: PseudonymousId
    status: EmploymentStatus
    site_id: Ref
    department_id: Ref
    role_id: Ref
    process_id: Ref | None = None
    manager_id: PseudonymousId | None = None

    def subject(self) -> str:
        return self.employee_id
