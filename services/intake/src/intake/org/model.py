"""The organisation as intake knows it: sites, departments, processes, roles, employees."""

from collections.abc import Mapping
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from intake.org.values import Country, Email, Id, Language, Name, TimeZone
from intake.personal import PERSONAL


class OrgRecord(BaseModel):
    """Base of the org records: frozen, no unknown fields, cells stripped."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class Site(OrgRecord):
    site_id: Id
    name: Name
    country: Country
    language: Language  # the primary working language
    time_zone: TimeZone


class Department(OrgRecord):
    department_id: Id
    name: Name
    site_id: Id | None = None  # None: the department spans all sites


class Process(OrgRecord):
    process_id: Id
    name: Name
    upstream_ids: list[Id] = Field(default_factory=list)  # the steps directly before this one

    @field_validator("upstream_ids")
    @classmethod
    def _sorted_once(cls, ids: list[str]) -> list[str]:
        """The order of upstream steps carries no meaning: keep them sorted, each once."""
        return sorted(set(ids))


class Role(OrgRecord):
    role_id: Id
    name: Name


class Employee(OrgRecord):
    personnel_number: Id = Field(json_schema_extra=PERSONAL)  # the HR system's key
    first_name: Name = Field(json_schema_extra=PERSONAL)
    last_name: Name = Field(json_schema_extra=PERSONAL)
    email: Email = Field(json_schema_extra=PERSONAL)
    language: Language  # preferred language for notifications
    site_id: Id
    department_id: Id
    role_id: Id
    process_id: Id | None = None
    manager_personnel_number: Id | None = Field(None, json_schema_extra=PERSONAL)


class OrgData(BaseModel):
    """The whole organisation; every dict is keyed by its records' ids."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    sites: dict[str, Site] = Field(default_factory=dict)
    departments: dict[str, Department] = Field(default_factory=dict)
    processes: dict[str, Process] = Field(default_factory=dict)
    roles: dict[str, Role] = Field(default_factory=dict)
    employees: dict[str, Employee] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _keys_are_ids(self) -> Self:
        """Each key must be the id of the record it holds."""
        for kind, records in self.by_kind().items():
            for key, record in records.items():
                if key != record_id(record):
                    raise ValueError(f"{kind}: key '{key}' holds '{record_id(record)}'")
        return self

    def by_kind(self) -> dict[str, Mapping[str, OrgRecord]]:
        """Each kind (the fields, in the order of KINDS) with its records."""
        return {kind: getattr(self, kind) for kind in type(self).model_fields}


ID_FIELDS: dict[type[OrgRecord], str] = {
    Site: "site_id",
    Department: "department_id",
    Process: "process_id",
    Role: "role_id",
    Employee: "personnel_number",
}


def record_id(record: OrgRecord) -> str:
    """The id of any org record."""
    return str(getattr(record, ID_FIELDS[type(record)]))


def downstream_of(processes: Mapping[str, Process]) -> dict[str, list[str]]:
    """For every process, the known processes that have it as their upstream step."""
    downstream: dict[str, list[str]] = {process_id: [] for process_id in processes}
    for process in processes.values():
        for upstream_id in process.upstream_ids:
            if upstream_id in downstream:
                downstream[upstream_id].append(process.process_id)
    return {process_id: sorted(ids) for process_id, ids in downstream.items()}
