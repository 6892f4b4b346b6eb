"""Reading and writing real Kafka topics from tests, synchronising on what is there."""

import asyncio
import time
from collections.abc import Callable

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from gegenstrom_contracts.envelope import Envelope

WAIT_S = 60.0


async def produce(
    bootstrap: str, topic: str, records: list[tuple[bytes | None, bytes, dict]]
) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        for key, value, headers in records:
            await producer.send_and_wait(
                topic, value, key=key, headers=[(k, str(v).encode()) for k, v in headers.items()]
            )
    finally:
        await producer.stop()


async def produce_envelopes(bootstrap: str, prefix: str, envelopes: list[Envelope]) -> None:
    for e in envelopes:
        await produce(bootstrap, e.data.topic.qualified(prefix), [(e.key(), e.body(), e.headers())])


async def read_until(
    bootstrap: str,
    topic: str,
    done: Callable[[list[ConsumerRecord]], bool],
    timeout_s: float = WAIT_S,
) -> list[ConsumerRecord]:
    """Read the topic from the beginning until ``done(records)``; fail on timeout."""
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest", enable_auto_commit=False
    )
    await consumer.start()
    records: list[ConsumerRecord] = []
    deadline = time.monotonic() + timeout_s
    try:
        while not done(records):
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"{topic}: condition not met in {timeout_s}s; saw {len(records)}"
                )
            batches = await consumer.getmany(timeout_ms=200)
            for batch in batches.values():
                records.extend(batch)
    finally:
        await consumer.stop()
    return records


async def read_all(bootstrap: str, topic: str) -> list[ConsumerRecord]:
    """Every record on the topic now (up to its current end offsets)."""
    ends = await end_offsets(bootstrap, topic)
    total = sum(ends.values())
    return await read_until(bootstrap, topic, lambda rs: len(rs) >= total)


async def end_offsets(bootstrap: str, topic: str) -> dict[int, int]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        [description] = await admin.describe_topics([topic])
    finally:
        await admin.close()
    partitions = [TopicPartition(topic, p["partition"]) for p in description["partitions"]]
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap)
    await consumer.start()
    try:
        ends = await consumer.end_offsets(partitions)
    finally:
        await consumer.stop()
    return {tp.partition: offset for tp, offset in ends.items()}


async def wait_group_caught_up(
    bootstrap: str, group: str, topic: str, timeout_s: float = WAIT_S
) -> None:
    """Wait until ``group`` has committed every record now on ``topic``."""
    ends = await end_offsets(bootstrap, topic)
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    deadline = time.monotonic() + timeout_s
    try:
        while True:
            offsets = await admin.list_consumer_group_offsets(group)
            committed = {
                tp.partition: meta.offset for tp, meta in offsets.items() if tp.topic == topic
            }
            if all(committed.get(p, 0) >= end for p, end in ends.items()):
                return
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"group {group} not caught up on {topic}: {committed} < {ends}"
                )
            await asyncio.sleep(0.1)
    finally:
        await admin.close()


def header(record: ConsumerRecord, name: str) -> str | None:
    for key, value in record.headers:
        if key == name:
            return value.decode()
    return None
