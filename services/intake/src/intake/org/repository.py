"""The organisation in intake's MongoDB: structure collections and employees.

Employees are keyed by a pseudonymous id that intake assigns on their first import and
keeps for good (a personnel number that comes back gets its old id). People missing
from a new employee file have left: they are marked, not deleted (erasure is separate).
"""

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from pymongo import ReplaceOne, UpdateOne
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from gegenstrom_contracts.org import EmploymentStatus
from intake.org.model import Department, Employee, OrgData, OrgRecord, Process, Role, Site

STRUCTURE: dict[str, type[OrgRecord]] = {
    "sites": Site,
    "departments": Department,
    "processes": Process,
    "roles": Role,
}
ASSIGNMENT = ("site_id", "department_id", "role_id", "process_id", "manager_personnel_number")


@dataclass(frozen=True)
class EmployeeChange:
    employee_id: str  # pseudonymous
    employee: Employee
    status: EmploymentStatus


def new_employee_id() -> str:
    return f"emp-{secrets.token_hex(8)}"


class OrgRepository:
    def __init__(self, db: AsyncDatabase) -> None:
        self._db = db
        self.employees = db["employees"]

    async def ensure_indexes(self) -> None:
        await self.employees.create_index("personnel_number", unique=True)
        await self.employees.create_index([("site_id", 1), ("status", 1)])

    async def load_structure(self, session: AsyncClientSession | None = None) -> OrgData:
        """Sites, departments, processes and roles, without the employees."""
        structure = {
            kind: {
                doc["_id"]: model.model_validate(_fields(doc))
                async for doc in self._db[kind].find({}, session=session)
            }
            for kind, model in STRUCTURE.items()
        }
        return OrgData(**structure)

    async def load(self, session: AsyncClientSession | None = None) -> OrgData:
        """The organisation now: structure and the employees who have not left."""
        structure = await self.load_structure(session)
        active = self.employees.find({"status": EmploymentStatus.ACTIVE.value}, session=session)
        employees = {
            doc["personnel_number"]: Employee.model_validate(_fields(doc, drop=("status",)))
            async for doc in active
        }
        return structure.model_copy(update={"employees": employees})

    async def save_structure(
        self, current: OrgData, desired: OrgData, session: AsyncClientSession
    ) -> bool:
        """Write the structure's differences; True when anything changed."""
        changed = False
        for kind in STRUCTURE:
            before, after = current.by_kind()[kind], desired.by_kind()[kind]
            writes = [
                ReplaceOne({"_id": k}, v.model_dump(), upsert=True)
                for k, v in after.items()
                if before.get(k) != v
            ]
            removed = [k for k in before if k not in after]
            if writes:
                await self._db[kind].bulk_write(writes, ordered=False, session=session)
            if removed:
                await self._db[kind].delete_many({"_id": {"$in": removed}}, session=session)
            changed = changed or bool(writes or removed)
        return changed

    async def save_employees(
        self, current: OrgData, desired: OrgData, session: AsyncClientSession
    ) -> list[EmployeeChange]:
        """Write joiners, changes and leavers; return those whose assignment changed."""
        ids = await self._ids_by_personnel_number(session)
        now = datetime.now(UTC)
        changes, writes = [], []
        for number, employee in desired.employees.items():
            before = current.employees.get(number)
            if before == employee:
                continue
            employee_id = ids.setdefault(number, new_employee_id())
            writes.append(_upsert(employee_id, employee, EmploymentStatus.ACTIVE, now))
            if before is None or _assignment(before) != _assignment(employee):
                changes.append(EmployeeChange(employee_id, employee, EmploymentStatus.ACTIVE))
        for number, employee in current.employees.items():
            if number not in desired.employees:
                writes.append(_upsert(ids[number], employee, EmploymentStatus.LEFT, now))
                changes.append(EmployeeChange(ids[number], employee, EmploymentStatus.LEFT))
        if writes:
            await self.employees.bulk_write(writes, ordered=False, session=session)
        return changes

    async def _ids_by_personnel_number(self, session: AsyncClientSession) -> dict[str, str]:
        cursor = self.employees.find({}, {"personnel_number": 1}, session=session)
        return {doc["personnel_number"]: doc["_id"] async for doc in cursor}

    async def ids_of(self, numbers: set[str], session: AsyncClientSession) -> dict[str, str]:
        cursor = self.employees.find(
            {"personnel_number": {"$in": sorted(numbers)}}, {"personnel_number": 1}, session=session
        )
        return {doc["personnel_number"]: doc["_id"] async for doc in cursor}


def _upsert(employee_id: str, employee: Employee, status: EmploymentStatus, now: datetime):
    fields = employee.model_dump() | {"status": status.value, "updated_at": now}
    return UpdateOne({"_id": employee_id}, {"$set": fields}, upsert=True)


def _assignment(employee: Employee) -> tuple:
    return tuple(getattr(employee, name) for name in ASSIGNMENT)


def _fields(doc: dict, drop: tuple[str, ...] = ()) -> dict:
    return {k: v for k, v in doc.items() if k not in ("_id", "updated_at", *drop)}
