"""What a webhook is: public event types, subscriptions, delivery ids, bodies and retries.

Pure: no I/O.
"""

import base64
import json
import secrets
import uuid
from collections.abc import Sequence
from enum import StrEnum

from pydantic import AnyHttpUrl, BaseModel, Field, field_validator

from gegenstrom_contracts import topics
from gegenstrom_contracts.catalog import ALL_EVENTS
from gegenstrom_contracts.envelope import SPEC_VERSION, Envelope

PUBLIC_TOPICS = (
    topics.LEARNING_PLAN,
    topics.LEARNING_ITEM,
    topics.LEARNING_GROUP,
    topics.IDEA,
    topics.NOTIFICATION,
)
PUBLIC_EVENTS = tuple(event for event in ALL_EVENTS if event.topic in PUBLIC_TOPICS)
PUBLIC_EVENT_TYPES = tuple(sorted(event.event_type for event in PUBLIC_EVENTS))

CONTENT_TYPE = "application/cloudevents+json"  # structured mode: attributes and data in one
SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32
_WEBHOOK_IDS = uuid.UUID("0b7d6c1e-9a7f-4f0e-8d51-3c2b9e4a6f10")


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"  # every try failed; a dead-letter record says why
    CANCELLED = "cancelled"  # its subscription was deleted before it went out


class SubscriptionRequest(BaseModel):
    """What a subscriber sends: where to POST and which event types."""

    url: AnyHttpUrl = Field(description="An http(s) URL that receives the POSTs.")
    event_types: list[str] = Field(min_length=1, description="CloudEvents types (ce_type).")
    description: str = Field("", max_length=500)

    @field_validator("event_types")
    @classmethod
    def known_types_only(cls, event_types: list[str]) -> list[str]:
        unknown = [t for t in event_types if t not in PUBLIC_EVENT_TYPES]
        if unknown:
            raise ValueError(
                f"unknown event type(s): {', '.join(unknown)}; "
                f"known: {', '.join(PUBLIC_EVENT_TYPES)}"
            )
        return sorted(set(event_types))


def new_secret() -> str:
    """A signing secret in the Standard Webhooks format: whsec_ + base64 of random bytes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def new_subscription_id() -> str:
    return f"sub_{uuid.uuid4().hex}"


def webhook_id(event_id: str, subscription_id: str) -> str:
    """Stable per event and subscription: the same on every retry, redelivery and restart."""
    return f"msg_{uuid.uuid5(_WEBHOOK_IDS, f'{event_id}/{subscription_id}').hex}"


def cloudevent_json(envelope: Envelope) -> str:
    """The event as a structured-mode CloudEvent, serialised once and sent as is."""
    event = {
        "specversion": SPEC_VERSION,
        "id": envelope.id,
        "source": envelope.source,
        "type": envelope.type,
        "subject": envelope.subject,
        "time": envelope.time.isoformat(),
        "datacontenttype": "application/json",
        "data": envelope.data.model_dump(mode="json"),
    }
    if envelope.correlation_id:
        event["correlationid"] = envelope.correlation_id
    return json.dumps(event, separators=(",", ":"), ensure_ascii=False)


def retry_delay(attempts: int, delays_s: Sequence[float]) -> float | None:
    """Seconds to wait after ``attempts`` failed tries, or None when there is no try left."""
    return delays_s[attempts - 1] if 1 <= attempts <= len(delays_s) else None


def is_success(status: int | None) -> bool:
    return status is not None and 200 <= status < 300
