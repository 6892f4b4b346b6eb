"""Use cases of notification: who is told what, in the inbox and by e-mail."""

from collections.abc import Callable
from datetime import datetime

from pymongo import DESCENDING, UpdateOne

from gegenstrom_contracts.envelope import Envelope, Event
from gegenstrom_contracts.notification import Channel, NotificationCreated
from gegenstrom_contracts.rollouts import IdeaStatus, IdeaStatusChanged
from gegenstrom_contracts.training_match import CohortFormed, LearningPlanUpdated, MentorRequested
from gegenstrom_runtime.privacy import Clock
from gegenstrom_runtime.service import Infrastructure
from gegenstrom_runtime.unit_of_work import Transaction
from notification.contacts import ContactDirectory, language_of
from notification.digest import record_plans
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
from notification.email import queue_emails
from notification.privacy import admitted

SOURCE = "/gegenstrom/notification"
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


async def on_events(
    infra: Infrastructure, contacts: ContactDirectory, clock: Clock, envelopes: list[Envelope]
) -> None:
    """Tell everyone the events concern, once per event, each in their language: a batch
    with one write per collection; events naming someone erased meanwhile tell nobody."""
    told = {e.id: await _messages(contacts, e.data) for e in envelopes}
    relevant = [e for e in envelopes if told[e.id] or isinstance(e.data, LearningPlanUpdated)]

    async def work(tx: Transaction, fresh: list[Envelope]) -> None:
        kept = await admitted(infra, tx, fresh)
        at = clock()
        plans = [e.data for e in kept if isinstance(e.data, LearningPlanUpdated)]
        await record_plans(infra.db, plans, at, tx.session)  # type: ignore[arg-type]
        sent = [(e, message) for e in kept for message in told[e.id]]
        created = await deliver(infra, [message for _, message in sent], tx, at)
        for envelope, message in sent:
            if message.id in created:
                tx.publish(envelope.caused(_created(message), SOURCE, message.id))

    if relevant:
        await infra.uow.commit_each(relevant, work)


async def _messages(contacts: ContactDirectory, event: Event) -> list[InboxMessage]:
    messages: list[InboxMessage] = []
    for recipient_id, build in audience(event):
        messages += build(await _language(contacts, recipient_id))
    return messages


async def look_up_languages(contacts: ContactDirectory, envelopes: list[Envelope]) -> None:
    """Ask intake for the languages of a batch's recipients in one call, before its
    transaction, so that ``on_events`` finds them remembered."""
    await contacts.languages({r for e in envelopes for r, _ in audience(e.data)} - {HR_INBOX})


async def _language(contacts: ContactDirectory, recipient_id: str) -> str:
    """The recipient's language; the HR team's inbox is no person, so no lookup."""
    if recipient_id == HR_INBOX:
        return DEFAULT_LANGUAGE
    return await language_of(contacts, recipient_id, DEFAULT_LANGUAGE)


async def deliver(
    infra: Infrastructure, messages: list[InboxMessage], tx: Transaction, at: datetime
) -> set[str]:
    """Into the inbox and the e-mail queue at ``at``, those not delivered before (a
    message's id is its natural key); returns the ids of those delivered now."""
    unique = list({message.id: message for message in messages}.values())
    if not unique:
        return set()
    writes = [UpdateOne({"_id": m.id}, {"$setOnInsert": _entry(m, at)}, upsert=True)
              for m in unique]  # fmt: skip
    result = await inbox(infra).bulk_write(writes, ordered=False, session=tx.session)
    stored = [unique[i] for i in sorted(result.upserted_ids)]
    await queue_emails(infra.db, stored, tx.session, at)
    return {message.id for message in stored}


def _entry(message: InboxMessage, at: datetime) -> dict:
    return {**message.model_dump(exclude={"id"}), "created_at": at, "read_at": None}


async def deliver_once(infra: Infrastructure, clock: Clock, message: InboxMessage) -> bool:
    """``deliver`` in a transaction of its own, announcing it with a new event."""

    async def work(tx: Transaction) -> bool:
        created = bool(await deliver(infra, [message], tx, clock()))
        if created:
            tx.publish(Envelope(_created(message), SOURCE))
        return created

    return await infra.uow.commit(work)


def _created(message: InboxMessage) -> NotificationCreated:
    return NotificationCreated(
        notification_id=message.id,
        recipient_id=message.recipient_id,
        channel=Channel.INBOX,
        about_event_type=message.about_event_type,
        rollout_id=message.rollout_id,
        plan_version=message.plan_version,
    )
