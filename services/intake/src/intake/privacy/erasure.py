"""Erasure on request (GDPR Art. 17): intake deletes the person behind a pseudonymous id
and everything they wrote, in one transaction, and tells the other services, which confirm.

Afterwards no document of intake holds the id: the tombstone and the confirmations are
kept under its keyed hash. A later org import that still lists the person makes them a
new employee with a new pseudonymous id, unconnected to the erased one.
"""

from pymongo.asynchronous.client_session import AsyncClientSession

from gegenstrom_contracts.envelope import Envelope
from gegenstrom_contracts.privacy import EmployeeErased, ErasureConfirmed
from gegenstrom_runtime.service import Infrastructure
from gegenstrom_runtime.unit_of_work import Transaction
from intake.errors import Rejected
from intake.privacy.access_log import AccessLog
from intake.privacy.agreement import Agreement
from intake.privacy.context import Privacy

SOURCE = "/gegenstrom/intake/erasure"
CONFIRMING = ("notification", "profiling", "training-match")


async def erase(privacy: Privacy, employee_id: str) -> bool:
    """Erase the employee; False when they were erased before (nothing happens again)."""
    infra = privacy.infra

    async def work(tx: Transaction) -> bool:
        if await infra.erased.holds(employee_id, tx.session):
            return False
        employee = await infra.db["employees"].find_one({"_id": employee_id}, session=tx.session)
        if employee is None:
            raise Rejected([f"no employee {employee_id}"], status=404)
        await infra.erased.add(employee_id, privacy.clock(), tx.session)
        await _delete_personal_data(infra, employee, tx.session)
        await infra.uow.outbox.purge(employee_id, tx.session)
        tx.publish(Envelope(EmployeeErased(employee_id=employee_id), SOURCE))
        return True

    return await infra.uow.commit(work)


async def _delete_personal_data(
    infra: Infrastructure, employee: dict, session: AsyncClientSession
) -> None:
    """The org record, inputs with their versions, proposals, ideas and access-log traces."""
    db, employee_id = infra.db, employee["_id"]
    await db["employees"].delete_one({"_id": employee_id}, session=session)
    await db["employees"].update_many(
        {"manager_personnel_number": employee["personnel_number"]},
        {"$set": {"manager_personnel_number": None}},
        session=session,
    )
    for inputs in ("employee_inputs", "employee_inputs_versions"):
        await db[inputs].delete_many({"content.employee_id": employee_id}, session=session)
    await db["proposals"].delete_many({"employee_id": employee_id}, session=session)
    await db["ideas"].delete_many({"author_id": employee_id}, session=session)
    await AccessLog(infra).forget(employee_id, session)
    await Agreement.of(infra).forget(employee_id, session)


async def erasure_status(infra: Infrastructure, employee_id: str) -> dict | None:
    """How far the erasure is: "erased" once every other service confirmed it."""
    confirmed = await infra.erased.confirmations(employee_id)
    if confirmed is None:
        return None
    pending = sorted(set(CONFIRMING) - confirmed)
    return {
        "employee_id": employee_id,
        "status": "erasing" if pending else "erased",
        "confirmed_by": sorted(confirmed),
        "pending": pending,
    }


async def on_confirmed(infra: Infrastructure, envelope: Envelope) -> None:
    """A service confirmed it erased the employee: noted under the tombstone's hash."""
    event: ErasureConfirmed = envelope.data  # type: ignore[assignment]

    async def work(tx: Transaction) -> None:
        await infra.erased.confirm(event.employee_id, event.service, tx.session)

    await infra.uow.commit(work, event_id=envelope.id)
