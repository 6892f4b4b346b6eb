"""The consumer wrapper on FastStream's in-memory broker, with a fake producer for the DLQ."""

import pytest
from aiokafka import ConsumerRecord
from faststream.kafka import KafkaBroker, TestKafkaBroker

from gegenstrom_contracts import topics
from gegenstrom_contracts.envelope import Envelope
from gegenstrom_contracts.intake import EmployeeInputSubmitted
from gegenstrom_runtime.consumer import (
    Consumption,
    DeadLetters,
    PermanentError,
    _process_batch,
    subscribe,
)
from gegenstrom_runtime.kafka import Record
from gegenstrom_runtime.metrics import ServiceMetrics
from gegenstrom_runtime.unit_of_work import AlreadyProcessed
from profiling.settings import ProfilingSettings
from support.factories import input_event

TOPIC = topics.EMPLOYEE_INPUT.name


class FakeProducer:
    def __init__(self) -> None:
        self.sent: list[Record] = []

    async def send_all(self, records: list[Record]) -> None:
        self.sent.extend(records)


class NoOneErased:
    async def held(self, employee_ids) -> set[str]:
        return set()


class OneTransaction:
    async def commit_batch(self, run, event_ids) -> None:
        await run()


class Harness:
    def __init__(self, handler, max_attempts: int = 3) -> None:
        self.settings = ProfilingSettings(max_delivery_attempts=max_attempts)
        self.broker = KafkaBroker()
        self.producer = FakeProducer()
        self.metrics = ServiceMetrics("profiling")
        consumption = Consumption(
            _registry(),
            handler,
            DeadLetters(self.producer, "profiling"),
            self.settings,
            OneTransaction(),
            NoOneErased(),
        )
        subscribe(self.broker, topics.EMPLOYEE_INPUT, consumption, self.metrics)

    def count(self, outcome: str) -> float:
        return self.metrics.messages.labels("profiling", TOPIC, outcome)._value.get()


def _registry():
    from gegenstrom_contracts.envelope import EventRegistry

    return EventRegistry([EmployeeInputSubmitted])


async def publish(broker: KafkaBroker, envelope: Envelope, body: bytes | None = None) -> None:
    await broker.publish(
        body if body is not None else envelope.body(),
        TOPIC,
        key=envelope.key(),
        headers=envelope.headers(),
    )


async def test_good_record_reaches_the_handler_decoded():
    seen: list[Envelope] = []

    async def handler(envelope: Envelope) -> None:
        seen.append(envelope)

    harness = Harness(handler)
    async with TestKafkaBroker(harness.broker) as broker:
        event = input_event("emp-1")
        await publish(broker, event)
    assert [e.id for e in seen] == [event.id]
    assert seen[0].data == event.data
    assert harness.count("processed") == 1 and harness.count("dead_lettered") == 0


@pytest.mark.parametrize(
    ("body", "error", "reason"),
    [
        (b"{oops", None, "ContractError: invalid"),
        (None, PermanentError("rollout r is closed"), "PermanentError: rollout r is closed"),
    ],
)
async def test_permanent_failures_are_dead_lettered_with_reason_and_origin(body, error, reason):
    async def handler(envelope: Envelope) -> None:
        if error:
            raise error

    harness = Harness(handler)
    async with TestKafkaBroker(harness.broker) as broker:
        await publish(broker, input_event("emp-1"), body)
    [dead] = harness.producer.sent
    assert dead.topic == TOPIC + ".dlq"
    assert dead.headers["dlq_reason"].startswith(reason)
    assert dead.headers["dlq_topic"] == TOPIC
    assert {"dlq_partition", "dlq_offset", "ce_id"} <= set(dead.headers)
    assert dead.key == b"emp-1"
    assert harness.count("dead_lettered") == 1


async def test_a_redelivered_event_counts_as_duplicate_not_as_failure():
    async def handler(envelope: Envelope) -> None:
        raise AlreadyProcessed(envelope.id)

    harness = Harness(handler)
    async with TestKafkaBroker(harness.broker) as broker:
        await publish(broker, input_event("emp-1"))
    assert harness.producer.sent == []
    assert harness.count("duplicate") == 1


def _record(envelope: Envelope, offset: int) -> ConsumerRecord:
    headers = [(k, v.encode()) for k, v in envelope.headers().items()]
    value = envelope.body()
    return ConsumerRecord(TOPIC, 0, offset, 0, 0, envelope.key(), value, None, 0, len(value),
                          headers)  # fmt: skip


def _batched(handle_many, handle_one) -> Consumption:
    return Consumption(
        _registry(),
        handle_one,
        DeadLetters(FakeProducer(), "profiling"),
        ProfilingSettings(),
        OneTransaction(),
        NoOneErased(),
        batch_handler=handle_many,
    )


async def test_a_batch_that_fails_once_is_tried_again_as_a_whole():
    calls: list = []

    async def handle_many(envelopes):
        calls.append(len(envelopes))
        if len(calls) == 1:
            raise RuntimeError("write conflict at commit")

    async def handle_one(envelope):
        calls.append("one")

    records = [_record(input_event(f"emp-{i}"), i) for i in range(3)]
    outcomes = await _process_batch(records, _batched(handle_many, handle_one))
    assert calls == [3, 3]  # not three transactions of one
    assert outcomes == ["processed"] * 3


async def test_a_batch_that_keeps_failing_goes_record_by_record():
    calls: list = []

    async def handle_many(envelopes):
        calls.append(len(envelopes))
        raise RuntimeError("one of them is bad")

    async def handle_one(envelope):
        calls.append("one")

    records = [_record(input_event(f"emp-{i}"), i) for i in range(3)]
    outcomes = await _process_batch(records, _batched(handle_many, handle_one))
    assert calls == [3, 3, "one", "one", "one"]
    assert outcomes == ["processed"] * 3
