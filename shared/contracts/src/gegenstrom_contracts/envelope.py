"""CloudEvents 1.0 envelope in the Kafka protocol binding, binary content mode.

The event's data is the JSON body; its attributes travel as ``ce_*`` headers, so any
CloudEvents SDK can read our records. The Kafka key is the event's subject (the
pseudonymous employee id), which keeps each employee's events in order.
"""

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import ClassVar, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from gegenstrom_contracts.topics import Topic

SPEC_VERSION = "1.0"
CONTENT_TYPE = "application/json"
NAMESPACE = uuid.UUID("6f1c9a52-3f53-4c6e-9a0c-0d5c1f2a9b7e")


class Event(BaseModel):
    """Base of every integration event. Subclasses set ``event_type`` and ``topic``.

    Readers are tolerant: unknown fields are ignored, so producers may add optional
    fields within a version (see docs/event-versioning.md).
    """

    model_config = ConfigDict(frozen=True, extra="ignore")

    event_type: ClassVar[str]
    topic: ClassVar[Topic]
    # Empty: the one service the type names publishes it; else the services listed.
    produced_by: ClassVar[tuple[str, ...]] = ()
    # True: consumers handle it even when its subject was erased (it reports the erasure).
    about_erasure: ClassVar[bool] = False

    def subject(self) -> str:
        """The pseudonymous id the event is about; also the Kafka key."""
        raise NotImplementedError(f"{type(self).__name__} must say what it is about")


class ContractError(ValueError):
    """A record that does not follow the contract: it goes to the dead-letter topic."""


E = TypeVar("E", bound=Event)


@dataclass(frozen=True)
class Envelope(Generic[E]):
    data: E
    source: str
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    time: datetime = field(default_factory=lambda: datetime.now(UTC))
    correlation_id: str | None = None

    @property
    def type(self) -> str:
        return self.data.event_type

    @property
    def subject(self) -> str:
        return self.data.subject()

    def headers(self) -> dict[str, str]:
        headers = {
            "ce_specversion": SPEC_VERSION,
            "ce_id": self.id,
            "ce_source": self.source,
            "ce_type": self.type,
            "ce_time": self.time.isoformat(),
            "ce_subject": self.subject,
            "content-type": CONTENT_TYPE,
        }
        if self.correlation_id:
            headers["ce_correlationid"] = self.correlation_id
        return headers

    def body(self) -> bytes:
        return self.data.model_dump_json().encode()

    def key(self) -> bytes:
        return self.subject.encode()

    def caused(self, data: Event, source: str, discriminator: str = "") -> "Envelope[Event]":
        """An event caused by this one, with an id derived from it (a redelivery yields
        the same id, so consumers can drop the repeat) and the same correlation id."""
        derived = uuid.uuid5(NAMESPACE, f"{self.id}/{data.event_type}/{discriminator}")
        return Envelope(data, source, str(derived), correlation_id=self.correlation_id or self.id)


class EventRegistry:
    """Maps ``ce_type`` to the event model that reads it."""

    def __init__(self, event_types: Iterable[type[Event]]) -> None:
        self._by_type = {cls.event_type: cls for cls in event_types}

    def decode(self, body: bytes | None, headers: Mapping[str, str | bytes]) -> Envelope[Event]:
        text = {k: v.decode() if isinstance(v, bytes) else v for k, v in headers.items()}
        missing = [
            h for h in ("ce_specversion", "ce_id", "ce_source", "ce_type") if not text.get(h)
        ]
        if missing:
            raise ContractError(f"missing CloudEvents header(s): {', '.join(missing)}")
        if text["ce_specversion"] != SPEC_VERSION:
            raise ContractError(f"unsupported ce_specversion {text['ce_specversion']!r}")
        event_cls = self._by_type.get(text["ce_type"])
        if event_cls is None:
            raise ContractError(f"unknown ce_type {text['ce_type']!r}")
        data = _validate(event_cls, body)
        return Envelope(
            data=data,
            source=text["ce_source"],
            id=text["ce_id"],
            time=_parse_time(text.get("ce_time")),
            correlation_id=text.get("ce_correlationid"),
        )


def _validate(event_cls: type[E], body: bytes | None) -> E:
    if not body:
        raise ContractError("empty body")
    try:
        return event_cls.model_validate_json(body)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or 'body'}: {e['msg']}" for e in error.errors()
        )
        raise ContractError(f"invalid {event_cls.event_type}: {problems}") from error


def _parse_time(value: str | None) -> datetime:
    if not value:
        return datetime.now(UTC)
    try:
        return datetime.fromisoformat(value)
    except ValueError as error:
        raise ContractError(f"ce_time is not an RFC 3339 timestamp: {value!r}") from error
