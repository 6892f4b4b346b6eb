"""Kafka side of webhooks: each public event becomes one delivery per matching subscription.

Consumers only write delivery documents; the sender posts them, so a slow or absent
receiver never holds up a topic. The runtime gives each service one consumer group per
topic, so a topic the service already consumes gets ONE handler that runs the existing
handler and the fan-out in turn (see ``with_webhooks``).
"""

from collections.abc import Sequence
from datetime import datetime

from gegenstrom_contracts.envelope import Envelope, Event
from gegenstrom_runtime.consumer import Handler
from gegenstrom_runtime.privacy import Clock, system_clock
from gegenstrom_runtime.service import Consumes, Infrastructure
from gegenstrom_runtime.unit_of_work import AlreadyProcessed, Transaction
from notification.privacy import admitted, json_parts
from notification.webhooks.model import (
    PUBLIC_EVENTS,
    PUBLIC_TOPICS,
    DeliveryStatus,
    cloudevent_json,
    webhook_id,
)
from notification.webhooks.store import WebhookStore, now

MARKER_PREFIX = "webhooks:"  # its own dedupe marker, apart from the inbox handler's


class WebhookFanOut:
    def __init__(
        self, infra: Infrastructure, store: WebhookStore, clock: Clock = system_clock
    ) -> None:
        self._infra = infra
        self._store = store
        self._clock = clock  # dates deliveries for retention

    async def __call__(self, envelope: Envelope) -> None:
        await self.many([envelope])

    async def many(self, envelopes: list[Envelope]) -> None:
        """Queue each event for every subscription to its type, once per event id: one
        read of the subscriptions and one write of the deliveries for the batch."""
        subscriptions = await self._store.subscribed_to({e.type for e in envelopes})
        at, created = now(), self._clock()
        bodies = {e.id: cloudevent_json(e) for e in envelopes if _subscribers(e, subscriptions)}
        if not bodies:
            return  # no transaction and no marker for the events nobody subscribed to
        mentioned = {e_id: json_parts(body) for e_id, body in bodies.items()}
        erased = await self._infra.erased.held(set().union(*mentioned.values()))
        # in flight at an erasure: such an event must not bring the id back
        wanted = [e for e in envelopes if e.id in bodies and not mentioned[e.id] & erased]

        async def work(tx: Transaction, fresh: list[Envelope]) -> None:
            deliveries = [
                delivery(e, bodies[e.id], s["_id"], at, created)
                for e in await admitted(self._infra, tx, fresh)
                for s in _subscribers(e, subscriptions)
            ]
            await self._store.add_deliveries(deliveries, tx.session)

        if wanted:
            await self._infra.uow.commit_each(wanted, work, marker=_marker)


def _subscribers(envelope: Envelope, subscriptions: list[dict]) -> list[dict]:
    return [s for s in subscriptions if envelope.type in s["event_types"]]


def _marker(envelope: Envelope) -> str:
    return MARKER_PREFIX + envelope.id


def delivery(
    envelope: Envelope,
    body: str,
    subscription_id: str,
    at: datetime,
    created_at: datetime | None = None,
) -> dict:
    """A pending delivery due ``at``; ``created_at`` (default ``at``) dates it for retention."""
    return {
        "_id": webhook_id(envelope.id, subscription_id),
        "subscription_id": subscription_id,
        "event_id": envelope.id,
        "event_type": envelope.type,
        "body": body,
        "status": DeliveryStatus.PENDING,
        "attempts": 0,
        "next_attempt_at": at,
        "claimed_until": at,
        "last_status": None,
        "last_error": None,
        "created_at": created_at or at,
        "delivered_at": None,
    }


def with_webhooks(existing: Sequence[Consumes], fan_out: WebhookFanOut) -> list[Consumes]:
    """The service's consumers plus the fan-out on every public topic, one per topic."""
    by_topic = {c.topic: c for c in existing}
    if len(by_topic) < len(existing):
        raise ValueError("one Consumes per topic: a topic has one consumer group per service")
    merged = [c for c in existing if c.topic not in PUBLIC_TOPICS]
    for topic in PUBLIC_TOPICS:
        public = [e for e in PUBLIC_EVENTS if e.topic == topic]
        current = by_topic.get(topic)
        if current is None:
            merged.append(Consumes.batched(topic, public, fan_out.many))
        else:
            events = [*current.events, *(e for e in public if e not in current.events)]
            merged.append(in_turn(current, fan_out, events))
    return merged


def in_turn(current: Consumes, fan_out: WebhookFanOut, events: Sequence[type[Event]]) -> Consumes:
    """``current`` for its own event types and then the fan-out, for a batch or one record.

    Each commits with its own dedupe marker, so a redelivery after a crash between the two
    skips the one that committed and runs the other; only when both had already run is the
    record a duplicate.
    """
    own_types = {e.event_type for e in current.events}

    async def handle(envelope: Envelope) -> None:
        handlers: list[Handler] = [current.handler] if envelope.type in own_types else []
        handlers.append(fan_out)
        repeats = 0
        for handler in handlers:
            try:
                await handler(envelope)
            except AlreadyProcessed:
                repeats += 1
        if repeats == len(handlers):
            raise AlreadyProcessed(envelope.id)

    async def handle_many(envelopes: list[Envelope]) -> None:
        own = [e for e in envelopes if e.type in own_types]
        if own and current.batch_handler:
            await current.batch_handler(own)
        await fan_out.many(envelopes)

    many = handle_many if current.batch_handler else None
    return Consumes(current.topic, events, handle, many, current.prefetch)
