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
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from faststream import AckPolicy
from faststream.exceptions import NackMessage
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from faststream.message import StreamMessage

from gegenstrom_contracts.envelope import ContractError, Envelope, EventRegistry
from gegenstrom_contracts.topics import Topic
from gegenstrom_runtime.kafka import Producer, Record
from gegenstrom_runtime.logs import correlated
from gegenstrom_runtime.metrics import ServiceMetrics
from gegenstrom_runtime.settings import ServiceSettings
from gegenstrom_runtime.unit_of_work import AlreadyProcessed

Handler = Callable[[Envelope], Awaitable[None]]
log = logging.getLogger(__name__)


class PermanentError(Exception):
    """Raised by a handler for a record that no retry can fix."""


class DeadLetters:
    def __init__(
        self, producer: Producer, service: str, metrics: ServiceMetrics | None = None
    ) -> None:
        self._producer = producer
        self._service = service
        self._metrics = metrics

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
        if self._metrics:
            self._metrics.dlq_records.labels(self._service, record.topic).inc()
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
        headers = dict(record.headers)
        event = _text(headers.get("ce_id"))
        with correlated(_text(headers.get("ce_correlationid")) or event, event):
            outcome = await _process(record, registry, handler, dead_letters, attempts, settings)
            if log.isEnabledFor(logging.DEBUG):
                log.debug("%s %s[%s]@%s", outcome, name, record.partition, record.offset)
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


def _text(value: bytes | None) -> str | None:
    return value.decode(errors="replace") if value else None


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


class LagMonitor:
    """Sets ``gegenstrom_consumer_lag`` per consumed topic and partition every few seconds:
    the partition's end offset minus the group's committed offset (or its first offset
    when the group committed nothing yet)."""

    def __init__(
        self,
        settings: ServiceSettings,
        topics: Sequence[Topic],
        metrics: ServiceMetrics,
        interval_s: float = 5.0,
    ) -> None:
        self._settings = settings
        self._groups = {
            t.qualified(settings.topic_prefix): settings.consumer_group(t.name) for t in topics
        }
        self._metrics = metrics
        self._interval_s = interval_s
        self._partitions: dict[str, list[int]] = {}

    async def run(self) -> None:
        while self._groups:
            try:
                await self._measure_while_connected()
            except Exception as error:  # Kafka away at start: connect again later
                log.warning("consumer lag monitor not connected: %r", error)
            await asyncio.sleep(self._interval_s)

    async def _measure_while_connected(self) -> None:
        bootstrap = self._settings.kafka_bootstrap
        client_id = f"{self._settings.service_name}-lag"
        admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, client_id=client_id)
        offsets = AIOKafkaConsumer(bootstrap_servers=bootstrap, client_id=client_id)
        try:
            await admin.start()
            await offsets.start()
            while True:
                try:
                    await self.measure(admin, offsets)
                except Exception as error:  # Kafka away for a moment: try again next round
                    log.warning("consumer lag not measured: %r", error)
                await asyncio.sleep(self._interval_s)
        finally:
            await offsets.stop()
            await admin.close()

    async def measure(self, admin: AIOKafkaAdminClient, offsets: AIOKafkaConsumer) -> None:
        service = self._settings.service_name
        for topic, group in self._groups.items():
            if topic not in self._partitions:
                described = await admin.describe_topics([topic])
                found = [p["partition"] for t in described for p in t["partitions"]]
                if not found:
                    continue
                self._partitions[topic] = sorted(found)
            tps = [TopicPartition(topic, p) for p in self._partitions[topic]]
            committed = await admin.list_consumer_group_offsets(group, partitions=tps)
            ends = await offsets.end_offsets(tps)
            starts = await offsets.beginning_offsets(tps)
            for tp in tps:
                done = committed.get(tp)
                position = done.offset if done is not None and done.offset >= 0 else starts[tp]
                lag = max(0, ends[tp] - position)
                self._metrics.consumer_lag.labels(service, topic, str(tp.partition)).set(lag)
