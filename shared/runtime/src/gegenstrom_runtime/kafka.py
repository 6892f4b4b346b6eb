"""Kafka plumbing: explicit topic creation and an idempotent producer."""

import asyncio
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from gegenstrom_contracts.topics import Topic

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Record:
    """A record ready to send: what the outbox stores and the producer writes."""

    topic: str
    key: bytes | None
    value: bytes
    headers: dict[str, str]


async def ensure_topics(bootstrap: str, topics: Iterable[Topic], prefix: str) -> None:
    """Create the topics with their partition counts; existing ones are left alone."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, client_id="gegenstrom-admin")
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        wanted = {t.qualified(prefix): t for t in topics}
        new = [
            NewTopic(name, t.partitions, 1, topic_configs=_configs(t))
            for name, t in wanted.items()
            if name not in existing
        ]
        if new:
            try:
                await admin.create_topics(new)
            except TopicAlreadyExistsError:
                log.info("a concurrent start created some topics first")
            log.info("created topics %s", [t.name for t in new])
    finally:
        await admin.close()


def _configs(topic: Topic) -> dict[str, str]:
    return {"retention.ms": str(topic.retention_ms)} if topic.retention_ms else {}


class Producer:
    """Idempotent producer (acks=all), sending batches without a round trip per record."""

    def __init__(self, bootstrap: str, client_id: str) -> None:
        self._options = {"bootstrap_servers": bootstrap, "client_id": client_id}
        self._producer: AIOKafkaProducer | None = None

    async def start(self) -> None:
        # built here, not in __init__: aiokafka binds to the running event loop
        self._producer = AIOKafkaProducer(
            **self._options, acks="all", enable_idempotence=True, linger_ms=2
        )
        await self._producer.start()

    async def stop(self) -> None:
        if self._producer:
            await self._producer.stop()

    async def send_all(self, records: Sequence[Record]) -> None:
        """Send every record and wait until Kafka acknowledged all of them."""
        if self._producer is None:
            raise RuntimeError("producer used before start()")
        futures = [
            await self._producer.send(
                r.topic, r.value, key=r.key, headers=[(k, v.encode()) for k, v in r.headers.items()]
            )
            for r in records
        ]
        await asyncio.gather(*futures)
