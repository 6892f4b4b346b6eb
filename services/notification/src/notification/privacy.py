"""Privacy controls of notification: erasure on request and the works agreement in force.

An erased employee's id may sit in many places: as recipient, inside message ids (HR's
approvals and mentor requests name the employee), in digest facts, in the bodies of
webhook deliveries (subject or any field of the event) and as the creator of a
subscription. ``erase`` removes or blanks all of them in the erasure's transaction.
The consumer drops later events keyed by an erased id. The inbox's use case reads the
tombstones of everyone its events name in its transaction (a read only: an erasure guard,
a write per person, made the five topics' consumers conflict on every shared person; the
window left is a record in flight during the erasure's commit). The webhook fan-out and
sender drop events that name an erased id.
"""

import re

from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from gegenstrom_contracts import topics
from gegenstrom_contracts.envelope import Envelope, Event
from gegenstrom_contracts.privacy import EmployeeErased, WorksAgreementChanged
from gegenstrom_contracts.rollouts import IdeaStatusChanged
from gegenstrom_contracts.training_match import CohortFormed, LearningPlanUpdated, MentorRequested
from gegenstrom_runtime.privacy import Clock, Tombstones, WorksAgreement, erase_and_confirm
from gegenstrom_runtime.service import Consumes, Infrastructure
from gegenstrom_runtime.unit_of_work import Transaction

ID_IN_JSON = re.compile(r'(?<=[":])[A-Za-z0-9_-]{4,64}(?=[":])')


def in_key(employee_id: str) -> dict:
    """Matches a ``:``-separated natural key that has the id as one of its parts."""
    return {"$regex": f"(^|:){re.escape(employee_id)}(:|$)"}


def in_json(employee_id: str) -> dict:
    """Matches a JSON text holding the id as a value or as part of a ``:``-separated one."""
    return {"$regex": f'[":]{re.escape(employee_id)}[":]'}


def json_parts(text: str) -> set[str]:
    """The values (or ``:``-parts of values) of a JSON text that could be pseudonymous ids."""
    return set(ID_IN_JSON.findall(text))


async def mentions_erased(tombstones: Tombstones, text: str) -> bool:
    """Whether an event's JSON names someone who was erased."""
    return bool(await tombstones.held(json_parts(text)))


def people(event: Event) -> set[str]:
    """Everyone an event the inbox handles names (messages and digest facts are about them)."""
    match event:
        case LearningPlanUpdated():
            return {event.employee_id}
        case MentorRequested():
            return {event.mentor_id, event.mentee_id}
        case CohortFormed() if event.host_id:
            return {event.host_id}
        case IdeaStatusChanged():
            return {event.author_id}
    return set()


async def erase(db: AsyncDatabase, tx: Transaction, employee_id: str) -> None:
    """Everything notification holds of the employee, in the caller's transaction."""
    session = tx.session
    about = {"$or": [{"recipient_id": employee_id}, {"_id": in_key(employee_id)}]}
    await db["inbox"].delete_many(about, session=session)
    await db["email_queue"].delete_many(about, session=session)
    await db["digest_facts"].delete_many({"_id": in_key(employee_id)}, session=session)
    await _erase_webhooks(db, employee_id, session)


async def _erase_webhooks(db: AsyncDatabase, employee_id: str, session: AsyncClientSession) -> None:
    """Deliveries whose event mentions the employee, their dead letters, and the employee
    as the creator of a subscription (the subscription itself belongs to the company)."""
    deliveries = db["webhook_deliveries"]
    query = {"body": in_json(employee_id)}
    ids = [d["_id"] async for d in deliveries.find(query, {"_id": 1}, session=session)]
    if ids:
        await db["webhook_dead_letters"].delete_many({"webhook_id": {"$in": ids}}, session=session)
        await deliveries.delete_many({"_id": {"$in": ids}}, session=session)
    await db["webhook_subscriptions"].update_many(
        {"created_by": employee_id}, {"$set": {"created_by": None}}, session=session
    )


async def k_threshold(agreement: WorksAgreement) -> int:
    return (await agreement.terms()).k


def consumers(infra: Infrastructure, agreement: WorksAgreement, clock: Clock) -> list[Consumes]:
    """Erasure requests and works-agreement changes; neither is offered to webhooks."""

    async def eraser(tx: Transaction, employee_id: str) -> None:
        await erase(infra.db, tx, employee_id)

    async def on_erased(envelope: Envelope) -> None:
        await erase_and_confirm(infra, envelope, eraser, clock)

    async def on_agreement(envelope: Envelope) -> None:
        await agreement.on_changed(infra.uow, envelope)

    return [
        Consumes(topics.ERASURE, [EmployeeErased], on_erased),
        Consumes(topics.WORKS_AGREEMENT, [WorksAgreementChanged], on_agreement),
    ]
