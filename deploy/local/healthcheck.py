"""Functional probe of the local servers: a produce to Kafka and a write to MongoDB."""

import asyncio
import contextlib
import sys
import time

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError
from pymongo import MongoClient

PROBE_TOPIC = "__gegenstrom_probe"


async def probe_kafka(bootstrap: str, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=5000)
        producer = AIOKafkaProducer(bootstrap_servers=bootstrap, request_timeout_ms=5000)
        try:
            await admin.start()
            with contextlib.suppress(TopicAlreadyExistsError):
                await admin.create_topics([NewTopic(PROBE_TOPIC, 1, 1)])
            await producer.start()
            await producer.send_and_wait(PROBE_TOPIC, b"ok")
            return
        except Exception as error:  # any failure means "not ready yet" until the deadline
            if time.monotonic() > deadline:
                raise SystemExit(f"kafka at {bootstrap} not ready: {error!r}") from error
            await asyncio.sleep(0.5)
        finally:
            await producer.stop()
            await admin.close()


def probe_mongo(uri: str) -> None:
    client = MongoClient(uri, serverSelectionTimeoutMS=30000)
    try:
        client["__gegenstrom_probe"]["probe"].insert_one({"ok": 1})
        client.drop_database("__gegenstrom_probe")
    finally:
        client.close()


if __name__ == "__main__":
    asyncio.run(probe_kafka(sys.argv[1]))
    probe_mongo(sys.argv[2])
