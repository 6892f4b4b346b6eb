"""Privacy controls of notification: erasure on request and the works agreement in force.

An erased employee's id may sit in many places: as recipient, inside message ids (HR's
approvals and mentor requests name the employee), in digest facts, in the bodies of
webhook deliveries (subject or any field of the event) and as the creator of a
subscription. ``erase`` removes or blanks all of them in the erasure's transaction.
The consumer drops later events keyed by an erased id. A record in flight while the
erasure commits passed that check before: ``admitted`` serialises the inbox's and the
fan-out's transactions with the erasure through the erasure guard, one guard document
per person and topic, so that the topics' consumers, which share people, never conflict
with each other, only with the erasure. The fan-out and the sender also drop events
that mention an erased id anywhere.
"""

import re

from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from gegenstrom_contracts import topics
from gegenstrom_contracts.envelope import Envelope, Event
from gegenstrom_contracts.privacy import EmployeeErased, WorksAgreementChanged
from gegenstrom_contracts.training_match import CohortFormed, MentorRequested
from gegenstrom_runtime.privacy import Clock, Tombstones, WorksAgreement, erase_and_confirm
from gegenstrom_runtime.service import Consumes, Infrastructure
from gegenstrom_runtime.unit_of_work import Transaction
from notification.webhooks.model import PUBLIC_TOPICS

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
    """Everyone an event names whose erasure must stop its messages, digest facts and
    deliveries: its subject (a person for all but a cohort) and the people in it."""
    match event:
        case MentorRequested():
            return {event.mentor_id, event.mentee_id}
        case CohortFormed():
            return {*event.member_ids, *([event.host_id] if event.host_id else [])}
    return {event.subject()}


async def admitted(
    infra: Infrastructure, tx: Transaction, envelopes: list[Envelope]
) -> list[Envelope]:
    """The events that name no one erased, read in ``tx`` after writing each person's
    guard document of the event's topic: an erasure committing meanwhile makes one of
    the two transactions retry, so neither misses the other's writes."""
    allowed: dict[str, set[str]] = {}
    for topic in {e.data.topic.name for e in envelopes}:
        named = {p for e in envelopes if e.data.topic.name == topic for p in people(e.data)}
        allowed[topic] = await infra.guard.admitted(tx.session, named, scope=topic)
    return [e for e in envelopes if people(e.data) <= allowed[e.data.topic.name]]


async def erase(db: AsyncDatabase, tx: Transaction, employee_id: str) -> None:
    """Everything notification holds of the employee, in the caller's transaction."""
    session = tx.session
    about = {"$or": [{"recipient_id": employee_id}, {"_id": in_key(employee_id)}]}
    await db["inbox"].delete_many(about, session=session)
    await db["email_queue"].delete_many(about, session=session)
    await db["digest_facts"].delete_many({"_id": in_key(employee_id)}, session=session)
    await _erase_webhooks(db, employee_id, session)


async def close_guards(infra: Infrastructure, tx: Transaction, employee_id: str) -> None:
    """The erasure's side of ``admitted``: the guard document of every public topic."""
    await infra.guard.close(tx.session, employee_id, [t.name for t in PUBLIC_TOPICS])


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
        await close_guards(infra, tx, employee_id)
        await erase(infra.db, tx, employee_id)

    async def on_erased(envelope: Envelope) -> None:
        await erase_and_confirm(infra, envelope, eraser, clock)

    async def on_agreement(envelope: Envelope) -> None:
        await agreement.on_changed(infra.uow, envelope)

    return [
        Consumes(topics.ERASURE, [EmployeeErased], on_erased),
        Consumes(topics.WORKS_AGREEMENT, [WorksAgreementChanged], on_agreement),
    ]
