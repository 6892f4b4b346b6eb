"""Transactional outbox: events are written in the same MongoDB transaction as the state
they describe, and a relay publishes them afterwards. A crash between write and publish
loses nothing: the relay finds the entry on restart. Ids are stable, so a repeat publish
(a crash after send and before deleting) is dropped by idempotent consumers. Published
entries are deleted at once: the outbox keeps no copy of what is on Kafka, so an erasure
needs to remove only the entries still pending."""

import asyncio
import contextlib
import logging
import re
from collections.abc import Sequence

from bson import ObjectId
from pymongo import ASCENDING, DeleteOne
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from gegenstrom_contracts.envelope import Envelope
from gegenstrom_runtime.faults import hold_forever
from gegenstrom_runtime.kafka import Producer, Record
from gegenstrom_runtime.logs import correlated
from gegenstrom_runtime.metrics import ServiceMetrics

BATCH_SIZE = 500
STOP_WAIT_S = 10.0

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
        self._stopping = False

    async def ensure_indexes(self) -> None:
        await self._entries.create_index([("published_at", ASCENDING), ("seq", ASCENDING)])
        await self._entries.create_index("key")

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

    async def purge(self, subject: str, session: AsyncClientSession) -> None:
        """Drop pending events about ``subject`` (an erased employee): they must not go out."""
        await self._entries.delete_many({"key": subject.encode()}, session=session)

    async def purge_mentioning(
        self, pattern: re.Pattern[bytes], session: AsyncClientSession
    ) -> int:
        """Drop pending events about others whose body matches ``pattern`` (names an erased
        employee, e.g. as mentor); how many. Pending entries are few: a scan is cheap."""
        pending = self._entries.find({"published_at": None}, {"value": 1}, session=session)
        stale = [doc["_id"] async for doc in pending if pattern.search(doc["value"])]
        if stale:
            await self._entries.delete_many({"_id": {"$in": stale}}, session=session)
        return len(stale)

    def wake(self) -> None:
        self._wake.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="outbox-relay")

    async def stop(self) -> None:
        """Stop the relay after its current round (never mid-send, which would publish
        that batch twice), then publish whatever is still pending."""
        self._stopping = True
        self._wake.set()
        if self._task:
            try:
                await asyncio.wait_for(self._task, STOP_WAIT_S)
            except TimeoutError:
                log.warning("outbox relay did not finish its round in %ss", STOP_WAIT_S)
        await self.flush()

    async def _run(self) -> None:
        while not self._stopping:
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
                # by id, in one round trip: SecantusDB runs a delete with $in as a scan
                await self._entries.bulk_write([DeleteOne({"_id": doc["_id"]}) for doc in batch])
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
