"""Transactional outbox: events are written in the same MongoDB transaction as the state
they describe, and a relay publishes them afterwards. A crash between write and publish
loses nothing: the relay finds the entry on restart. Ids are stable, so a repeat publish
(a crash after send and before marking) is dropped by idempotent consumers."""

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from bson import ObjectId
from pymongo import ASCENDING
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from gegenstrom_contracts.envelope import Envelope
from gegenstrom_runtime.faults import hold_forever
from gegenstrom_runtime.kafka import Producer, Record
from gegenstrom_runtime.logs import correlated
from gegenstrom_runtime.metrics import ServiceMetrics

BATCH_SIZE = 500
KEEP_PUBLISHED = timedelta(days=7)

log = logging.getLogger(__name__)


class Outbox:
    def __init__(
        self,
        db: AsyncDatabase,
        producer: Producer,
        metrics: ServiceMetrics,
        topic_prefix: str,
        poll_interval_s: float,
        hold_before_publish: bool = False,
    ) -> None:
        self._entries = db["outbox"]
        self._producer = producer
        self._metrics = metrics
        self._prefix = topic_prefix
        self._poll_interval_s = poll_interval_s
        self._hold_before_publish = hold_before_publish
        self._wake = asyncio.Event()
        self._lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None

    async def ensure_indexes(self) -> None:
        await self._entries.create_index([("published_at", ASCENDING), ("seq", ASCENDING)])
        await self._entries.create_index(
            "published_at",
            name="expire_published",
            expireAfterSeconds=int(KEEP_PUBLISHED.total_seconds()),
        )

    async def stage(self, envelopes: Sequence[Envelope], session: AsyncClientSession) -> None:
        """Write events inside the caller's transaction; ``wake`` publishes them after commit."""
        if envelopes:
            await self._entries.insert_many([self._entry(e) for e in envelopes], session=session)

    def _entry(self, envelope: Envelope) -> dict:
        return {
            "_id": envelope.id,
            "seq": ObjectId(),
            "topic": envelope.data.topic.qualified(self._prefix),
            "key": envelope.key(),
            "value": envelope.body(),
            "headers": envelope.headers(),
            "published_at": None,
        }

    def wake(self) -> None:
        self._wake.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="outbox-relay")

    async def stop(self) -> None:
        """Stop the relay after publishing whatever is still pending."""
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self.flush()

    async def _run(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._poll_interval_s)
            self._wake.clear()
            try:
                await self.flush()
            except Exception:  # Kafka or MongoDB away: the next round tries again
                log.exception("outbox relay round failed; retrying")

    async def flush(self) -> int:
        """Publish pending entries in write order; returns how many were published."""
        published = 0
        async with self._lock:
            while batch := await self._pending():
                if self._hold_before_publish:
                    await hold_forever("outbox before publish")
                await self._producer.send_all([_record(doc) for doc in batch])
                await self._entries.update_many(
                    {"_id": {"$in": [doc["_id"] for doc in batch]}},
                    {"$set": {"published_at": datetime.now(UTC)}},
                )
                for doc in batch:
                    self._metrics.published.labels(self._metrics.service, doc["topic"]).inc()
                    _log_published(doc)
                published += len(batch)
            self._metrics.outbox_pending.labels(self._metrics.service).set(0)
        return published

    async def _pending(self) -> list[dict]:
        cursor = self._entries.find({"published_at": None}).sort("seq", ASCENDING).limit(BATCH_SIZE)
        return await cursor.to_list()


def _log_published(doc: dict) -> None:
    """The milestone that lets one input be followed: a line per event, with its chain."""
    headers = doc["headers"]
    event = headers.get("ce_id")
    with correlated(headers.get("ce_correlationid") or event, event):
        log.info("published %s to %s", headers.get("ce_type"), doc["topic"])


def _record(doc: dict) -> Record:
    return Record(doc["topic"], doc["key"], doc["value"], doc["headers"])
