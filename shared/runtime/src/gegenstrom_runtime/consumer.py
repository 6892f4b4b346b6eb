"""Thin, safe Kafka consumers: decode the CloudEvent, call the handler, then commit.

At-least-once: the offset is committed only after the handler returned (its MongoDB
transaction committed). A record that breaks the contract or a handler rule goes to
``<topic>.dlq`` with the reason and its origin at once; any other failure is retried
with backoff and dead-lettered after ``max_delivery_attempts``. Either way the consumer
goes on with the next record.
"""

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from aiokafka import ConsumerRecord
from faststream import AckPolicy
from faststream.exceptions import NackMessage
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from faststream.message import StreamMessage

from gegenstrom_contracts.envelope import ContractError, Envelope, EventRegistry
from gegenstrom_contracts.topics import Topic
from gegenstrom_runtime.kafka import Producer, Record
from gegenstrom_runtime.metrics import ServiceMetrics
from gegenstrom_runtime.settings import ServiceSettings
from gegenstrom_runtime.unit_of_work import AlreadyProcessed

Handler = Callable[[Envelope], Awaitable[None]]
log = logging.getLogger(__name__)


class PermanentError(Exception):
    """Raised by a handler for a record that no retry can fix."""


class DeadLetters:
    def __init__(self, producer: Producer, service: str) -> None:
        self._producer = producer
        self._service = service

    async def send(self, record: ConsumerRecord, reason: str) -> None:
        headers = {k: v.decode(errors="replace") for k, v in record.headers}
        headers |= {
            "dlq_reason": reason[:2000],
            "dlq_topic": record.topic,
            "dlq_partition": str(record.partition),
            "dlq_offset": str(record.offset),
            "dlq_service": self._service,
            "dlq_failed_at": datetime.now(UTC).isoformat(),
        }
        dlq = record.topic + ".dlq"
        await self._producer.send_all([Record(dlq, record.key, record.value or b"", headers)])
        log.warning(
            "dead-lettered %s[%s]@%s: %s", record.topic, record.partition, record.offset, reason
        )


class Attempts:
    """Delivery attempts per record, counted here because Kafka does not."""

    def __init__(self) -> None:
        self._counts: dict[tuple[str, int, int], int] = {}

    def next(self, record: ConsumerRecord) -> int:
        key = (record.topic, record.partition, record.offset)
        self._counts[key] = self._counts.get(key, 0) + 1
        return self._counts[key]

    def forget(self, record: ConsumerRecord) -> None:
        self._counts.pop((record.topic, record.partition, record.offset), None)


def subscribe(
    broker: KafkaBroker,
    settings: ServiceSettings,
    topic: Topic,
    registry: EventRegistry,
    handler: Handler,
    dead_letters: DeadLetters,
    metrics: ServiceMetrics,
) -> None:
    """Register ``handler`` for ``topic`` with the service's consumer group."""
    name = topic.qualified(settings.topic_prefix)
    attempts = Attempts()
    metrics.init_topic(consumed=name)

    async def consume(message: KafkaMessage) -> None:
        record: ConsumerRecord = message.raw_message  # type: ignore[assignment]
        started = time.perf_counter()
        outcome = await _process(record, registry, handler, dead_letters, attempts, settings)
        metrics.messages.labels(settings.service_name, name, outcome).inc()
        metrics.processing_seconds.labels(settings.service_name, name).observe(
            time.perf_counter() - started
        )
        if outcome == "retried":
            raise NackMessage()

    broker.subscriber(
        name,
        group_id=settings.consumer_group(topic.name),
        auto_offset_reset="earliest",
        ack_policy=AckPolicy.NACK_ON_ERROR,
        decoder=_undecoded,
    )(consume)


async def _undecoded(message: StreamMessage[Any]) -> bytes:
    """Leave the body alone: a poison record must reach our handling, not fail before it."""
    return message.body


async def _process(
    record: ConsumerRecord,
    registry: EventRegistry,
    handler: Handler,
    dead_letters: DeadLetters,
    attempts: Attempts,
    settings: ServiceSettings,
) -> str:
    try:
        envelope = registry.decode(record.value, dict(record.headers))
        await handler(envelope)
    except AlreadyProcessed:
        attempts.forget(record)
        return "duplicate"
    except (ContractError, PermanentError) as error:
        await dead_letters.send(record, f"{type(error).__name__}: {error}")
        attempts.forget(record)
        return "dead_lettered"
    except Exception as error:
        attempt = attempts.next(record)
        if attempt >= settings.max_delivery_attempts:
            reason = f"gave up after {attempt} attempts: {type(error).__name__}: {error}"
            await dead_letters.send(record, reason)
            attempts.forget(record)
            return "dead_lettered"
        log.warning("attempt %d on %s@%s failed: %r", attempt, record.topic, record.offset, error)
        await asyncio.sleep(min(0.1 * 2**attempt, 5.0))
        return "retried"
    attempts.forget(record)
    return "processed"
