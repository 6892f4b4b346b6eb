"""Thin, safe Kafka consumers: decode the CloudEvent, call the handler, then commit.

At-least-once: records come in batches, and a batch's offsets are committed only after
its MongoDB transaction committed. A batch that fails twice is handled record by record:
a record that breaks the contract or a handler rule goes to ``<topic>.dlq`` with the
reason and its origin at once; any other failure is retried with backoff and
dead-lettered after ``max_delivery_attempts``. Either way the consumer goes on. A record
about an employee who was erased is skipped: it must not bring their data back.
"""

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Collection, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from faststream import AckPolicy
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

# a failed batch is tried once more before going record by record: most failures are a
# write conflict, which record by record would turn into hundreds of transactions
BATCH_ATTEMPTS = 2
Handler = Callable[[Envelope], Awaitable[None]]
BatchHandler = Callable[[list[Envelope]], Awaitable[None]]
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


class Batches(Protocol):
    async def commit_batch(
        self, run: Callable[[], Awaitable[None]], event_ids: Collection[str]
    ) -> None: ...


class ErasedCheck(Protocol):
    async def held(self, employee_ids: Collection[str]) -> set[str]: ...


@dataclass
class Consumption:
    """What one subscription needs to handle its records."""

    registry: EventRegistry
    handler: Handler
    dead_letters: DeadLetters
    settings: ServiceSettings
    batches: Batches
    erased: ErasedCheck
    batch_handler: BatchHandler | None = None  # all of a batch at once, if it can
    prefetch: BatchHandler | None = None  # I/O to do before the transaction, e.g. lookups


def subscribe(
    broker: KafkaBroker,
    topic: Topic,
    consumption: Consumption,
    metrics: ServiceMetrics,
) -> None:
    """Register the handler for ``topic`` with the service's consumer group; records
    arrive in batches of up to ``consumer_batch_size``, one transaction and commit each."""
    settings = consumption.settings
    name = topic.qualified(settings.topic_prefix)
    metrics.init_topic(consumed=name)

    async def consume(message: KafkaMessage) -> None:
        records: tuple[ConsumerRecord, ...] = message.raw_message  # type: ignore[assignment]
        started = time.perf_counter()
        outcomes = await _process_batch(list(records), consumption)
        share = (time.perf_counter() - started) / max(1, len(records))
        for outcome in outcomes:
            metrics.messages.labels(settings.service_name, name, outcome).inc()
            metrics.processing_seconds.labels(settings.service_name, name).observe(share)

    broker.subscriber(
        name,
        group_id=settings.consumer_group(topic.name),
        auto_offset_reset="earliest",
        ack_policy=AckPolicy.NACK_ON_ERROR,
        batch=True,
        max_records=settings.consumer_batch_size,
        decoder=_undecoded,
    )(consume)


def _text(value: bytes | None) -> str | None:
    return value.decode(errors="replace") if value else None


async def _undecoded(message: StreamMessage[Any]) -> Any:
    """Leave the body alone: a poison record must reach our handling, not fail before it."""
    return message.body


def _correlated(record: ConsumerRecord) -> AbstractContextManager[None]:
    headers = dict(record.headers)
    event = _text(headers.get("ce_id"))
    return correlated(_text(headers.get("ce_correlationid")) or event, event)


async def _process_batch(records: list[ConsumerRecord], c: Consumption) -> list[str]:
    """Decode, drop what concerns erased employees, then handle the rest in one
    transaction; if that fails, record by record, so one bad record cannot block the rest."""
    outcomes: list[str] = []
    decoded: list[tuple[ConsumerRecord, Envelope]] = []
    for record in records:
        try:
            decoded.append((record, c.registry.decode(record.value, dict(record.headers))))
        except ContractError as error:
            await c.dead_letters.send(record, f"ContractError: {error}")
            outcomes.append("dead_lettered")
    # an erasure's confirmation is about an erased employee by design: it is handled
    erased = await c.erased.held({e.subject for _, e in decoded if not e.data.about_erasure})
    todo = [(r, e) for r, e in decoded if e.data.about_erasure or e.subject not in erased]
    outcomes += ["erased"] * (len(decoded) - len(todo))
    if not todo:
        return outcomes
    await _prefetch(todo, c)
    for attempt in range(1, BATCH_ATTEMPTS + 1):
        try:
            return outcomes + await _in_one_transaction(todo, c)
        except Exception as error:
            log.warning("batch of %d failed (%r), attempt %d", len(todo), error, attempt)
            if attempt < BATCH_ATTEMPTS:
                await asyncio.sleep(0.1)
    log.warning("handling the batch of %d record by record", len(todo))
    for record, envelope in todo:
        with _correlated(record):
            outcomes += await _process_one(record, envelope, c)
    return outcomes


async def _prefetch(todo: list[tuple[ConsumerRecord, Envelope]], c: Consumption) -> None:
    """Lookups a handler would otherwise make one by one inside the transaction; a failure
    only means the handler makes them itself."""
    if c.prefetch:
        try:
            await c.prefetch([e for _, e in todo])
        except Exception as error:
            log.warning("prefetch for a batch of %d failed: %r", len(todo), error)


async def _in_one_transaction(
    todo: list[tuple[ConsumerRecord, Envelope]], c: Consumption
) -> list[str]:
    """A batch handler commits itself (``uow.commit_each``), after any I/O it does first;
    plain handlers run one after the other in a transaction opened here."""
    if c.batch_handler:
        await c.batch_handler([e for _, e in todo])
        return ["processed"] * len(todo)
    outcomes: list[str] = []

    async def one_by_one() -> None:
        outcomes.clear()  # the transaction may be retried from the start
        for record, envelope in todo:
            with _correlated(record):
                try:
                    await c.handler(envelope)
                    outcomes.append("processed")
                except AlreadyProcessed:
                    outcomes.append("duplicate")

    await c.batches.commit_batch(one_by_one, [e.id for _, e in todo])
    return outcomes


async def _process_one(record: ConsumerRecord, envelope: Envelope, c: Consumption) -> list[str]:
    """Handle one record in its own transaction, retrying with backoff; dead-letter it when
    it breaks a rule or keeps failing. Returns one outcome per attempt."""
    outcomes: list[str] = []
    for attempt in range(1, c.settings.max_delivery_attempts + 1):
        try:
            await c.handler(envelope)
            return [*outcomes, "processed"]
        except AlreadyProcessed:
            return [*outcomes, "duplicate"]
        except (ContractError, PermanentError) as error:
            await c.dead_letters.send(record, f"{type(error).__name__}: {error}")
            return [*outcomes, "dead_lettered"]
        except Exception as error:
            if attempt == c.settings.max_delivery_attempts:
                reason = f"gave up after {attempt} attempts: {type(error).__name__}: {error}"
                await c.dead_letters.send(record, reason)
                return [*outcomes, "dead_lettered"]
            log.warning(
                "attempt %d on %s@%s failed: %r", attempt, record.topic, record.offset, error
            )
            outcomes.append("retried")
            await asyncio.sleep(min(0.1 * 2**attempt, 5.0))
    raise AssertionError("unreachable")


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
