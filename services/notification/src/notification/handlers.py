"""Use cases of notification: who is told what, in the inbox and by e-mail."""

import asyncio
from collections.abc import Callable
from datetime import datetime

from pymongo import DESCENDING

from gegenstrom_contracts.envelope import Envelope, Event
from gegenstrom_contracts.notification import Channel, NotificationCreated
from gegenstrom_contracts.rollouts import IdeaStatus, IdeaStatusChanged
from gegenstrom_contracts.training_match import CohortFormed, LearningPlanUpdated, MentorRequested
from gegenstrom_runtime.privacy import Clock
from gegenstrom_runtime.service import Infrastructure
from gegenstrom_runtime.unit_of_work import Transaction
from notification.contacts import ContactDirectory, language_of
from notification.digest import record_plan
from notification.domain import (
    DEFAULT_LANGUAGE,
    HR_INBOX,
    InboxMessage,
    approval_messages,
    cohort_message,
    idea_message,
    mentor_message,
    plan_message,
)
from notification.email import queue_email
from notification.privacy import admitted

SOURCE = "/gegenstrom/notification"
LOOKUPS_AT_ONCE = 16
Build = Callable[[str], list[InboxMessage]]  # from the recipient's language


def inbox(infra: Infrastructure):
    return infra.db["inbox"]


async def ensure_indexes(infra: Infrastructure) -> None:
    await inbox(infra).create_index([("recipient_id", 1), ("created_at", DESCENDING)])
    # the e-mail sender claims the next due entry: without it, each claim scans the queue
    await infra.db["email_queue"].create_index([("status", 1), ("next_attempt_at", 1)])


def audience(event: Event) -> list[tuple[str, Build]]:
    """Who is told about ``event``, and what; empty for events that tell nobody."""
    match event:
        case LearningPlanUpdated():
            return [
                (event.employee_id, lambda language: [plan_message(event, language)]),
                (HR_INBOX, lambda language: approval_messages(event, language)),
            ]
        case MentorRequested():
            return [(event.mentor_id, lambda language: [mentor_message(event, language)])]
        case CohortFormed() if event.host_id:
            host = event.host_id
            return [(host, lambda language: [cohort_message(event, host, language)])]
        case IdeaStatusChanged() if event.status is not IdeaStatus.NEW:
            return [(event.author_id, lambda language: [idea_message(event, language)])]
    return []


async def on_event(
    infra: Infrastructure, contacts: ContactDirectory, clock: Clock, envelope: Envelope
) -> None:
    """Tell everyone an event concerns, once per event, each in their language."""
    messages: list[InboxMessage] = []
    for recipient_id, build in audience(envelope.data):
        messages += build(await _language(contacts, recipient_id))

    async def work(tx: Transaction) -> None:
        if not await admitted(infra, tx, envelope.data):
            return  # someone it names was erased meanwhile
        at = clock()
        if isinstance(envelope.data, LearningPlanUpdated):
            await record_plan(infra.db, envelope.data, at, tx.session)
        for message in messages:
            if await deliver(infra, message, tx, at):
                tx.publish(envelope.caused(_created(message), SOURCE, message.id))

    if messages or isinstance(envelope.data, LearningPlanUpdated):
        await infra.uow.commit(work, event_id=envelope.id)


async def look_up_languages(contacts: ContactDirectory, envelopes: list[Envelope]) -> None:
    """Ask intake for the languages of a batch's recipients at once, before its
    transaction, so that ``on_event`` finds them remembered."""
    recipients = {r for e in envelopes for r, _ in audience(e.data)} - {HR_INBOX}
    asking = asyncio.Semaphore(LOOKUPS_AT_ONCE)

    async def look_up(recipient_id: str) -> None:
        async with asking:
            await language_of(contacts, recipient_id, DEFAULT_LANGUAGE)

    await asyncio.gather(*(look_up(r) for r in recipients))


async def _language(contacts: ContactDirectory, recipient_id: str) -> str:
    """The recipient's language; the HR team's inbox is no person, so no lookup."""
    if recipient_id == HR_INBOX:
        return DEFAULT_LANGUAGE
    return await language_of(contacts, recipient_id, DEFAULT_LANGUAGE)


async def deliver(
    infra: Infrastructure, message: InboxMessage, tx: Transaction, at: datetime
) -> bool:
    """Into the inbox and the e-mail queue at ``at``, unless it was delivered before."""
    if not await _store(infra, message, tx, at):
        return False
    await queue_email(infra.db, message, tx.session, at)
    return True


async def deliver_once(infra: Infrastructure, clock: Clock, message: InboxMessage) -> bool:
    """``deliver`` in a transaction of its own, announcing it with a new event."""

    async def work(tx: Transaction) -> bool:
        created = await deliver(infra, message, tx, clock())
        if created:
            tx.publish(Envelope(_created(message), SOURCE))
        return created

    return await infra.uow.commit(work)


async def _store(
    infra: Infrastructure, message: InboxMessage, tx: Transaction, at: datetime
) -> bool:
    """Put the message in the inbox unless it is there already (its id is its natural key)."""
    result = await inbox(infra).update_one(
        {"_id": message.id},
        {
            "$setOnInsert": {
                **message.model_dump(exclude={"id"}),
                "created_at": at,
                "read_at": None,
            }
        },
        upsert=True,
        session=tx.session,
    )
    return result.upserted_id is not None


def _created(message: InboxMessage) -> NotificationCreated:
    return NotificationCreated(
        notification_id=message.id,
        recipient_id=message.recipient_id,
        channel=Channel.INBOX,
        about_event_type=message.about_event_type,
        rollout_id=message.rollout_id,
        plan_version=message.plan_version,
    )
