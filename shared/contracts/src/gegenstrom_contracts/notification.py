"""Events that notification publishes."""

from enum import StrEnum
from typing import ClassVar

from pydantic import Field

from gegenstrom_contracts import topics
from gegenstrom_contracts.envelope import Event
from gegenstrom_contracts.types import PseudonymousId, Ref, Version


class Channel(StrEnum):
    INBOX = "inbox"
    EMAIL = "email"


class NotificationCreated(Event):
    """A notification was stored for a recipient (its text stays in the notification service)."""

    event_type: ClassVar[str] = "org.gegenstrom.notification.notification-created.v1"
    topic: ClassVar[topics.Topic] = topics.NOTIFICATION

    notification_id: str
    recipient_id: PseudonymousId
    channel: Channel
    about_event_type: str
    rollout_id: Ref | None = Field(None, description="None: not about one rollout (a cohort).")
    plan_version: Version | None = None

    def subject(self) -> str:
        return self.recipient_id
