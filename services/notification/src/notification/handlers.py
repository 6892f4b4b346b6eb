"""Use cases of notification."""

from datetime import UTC, datetime

from pymongo import DESCENDING

from gegenstrom_contracts.envelope import Envelope
from gegenstrom_contracts.notification import Channel, NotificationCreated
from gegenstrom_contracts.training_match import LearningPlanUpdated
from gegenstrom_runtime.service import Infrastructure
from gegenstrom_runtime.unit_of_work import Transaction
from notification.contacts import ContactDirectory, language_of
from notification.domain import DEFAULT_LANGUAGE, plan_message

SOURCE = "/gegenstrom/notification"


def inbox(infra: Infrastructure):
    return infra.db["inbox"]


async def ensure_indexes(infra: Infrastructure) -> None:
    await inbox(infra).create_index([("recipient_id", 1), ("created_at", DESCENDING)])


async def on_learning_plan(
    infra: Infrastructure, contacts: ContactDirectory, envelope: Envelope
) -> None:
    """Put the plan news in the employee's inbox, once per plan version."""
    plan: LearningPlanUpdated = envelope.data  # type: ignore[assignment]
    language = await language_of(contacts, plan.employee_id, DEFAULT_LANGUAGE)
    message = plan_message(plan, language)

    async def work(tx: Transaction) -> None:
        result = await inbox(infra).update_one(
            {"_id": message.id},
            {
                "$setOnInsert": {
                    **message.model_dump(exclude={"id"}),
                    "created_at": datetime.now(UTC),
                    "read_at": None,
                }
            },
            upsert=True,
            session=tx.session,
        )
        if result.upserted_id is not None:
            created = NotificationCreated(
                notification_id=message.id,
                recipient_id=message.recipient_id,
                channel=Channel.INBOX,
                about_event_type=message.about_event_type,
                rollout_id=message.rollout_id,
                plan_version=message.plan_version,
            )
            tx.publish(envelope.caused(created, SOURCE))

    await infra.uow.commit(work, event_id=envelope.id)
