"""Transactional outbox: events are written in the same MongoDB transaction as the state
they describe, and a relay publishes them afterwards. A crash between write and publish
loses nothing: the relay finds the entry on restart. Ids are stable, so a repeat publish
(a crash after send and before deleting) is dropped by idempotent consumers. Published
entries are deleted at once: the outbox keeps no copy of what is on Kafka, so an erasure
needs to remove only the entries still pending.

A transaction's events go into one document (a few for many events): one insert and one
delete per batch of events, not per event, which is what the MongoDB server feels."""

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

BATCH_SIZE = 500  # events per relay round, about
EVENTS_PER_DOCUMENT = 100  # a plan event is a few KB: far below MongoDB's 16 MB
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
        await self._entries.create_index("keys")

    async def stage(self, envelopes: Sequence[Envelope], session: AsyncClientSession) -> None:
        """Write events inside the caller's transaction; ``wake`` publishes them after commit."""
        events = [self._event(e) for e in envelopes]
        chunks = [
            events[i : i + EVENTS_PER_DOCUMENT] for i in range(0, len(events), EVENTS_PER_DOCUMENT)
        ]
        if chunks:
            await self._entries.insert_many([_document(c) for c in chunks], session=session)

    def _event(self, envelope: Envelope) -> dict:
        return {
            "id": envelope.id,
            "topic": envelope.data.topic.qualified(self._prefix),
            "key": envelope.key(),
            "value": envelope.body(),
            "headers": envelope.headers(),
        }

    async def purge(self, subject: str, session: AsyncClientSession) -> None:
        """Drop pending events about ``subject`` (an erased employee): they must not go out."""
        key = subject.encode()
        async for doc in self._entries.find({"keys": key}, session=session):
            await self._keep(doc, [e for e in doc["events"] if e["key"] != key], session)

    async def purge_mentioning(
        self, pattern: re.Pattern[bytes], session: AsyncClientSession
    ) -> int:
        """Drop pending events about others whose body matches ``pattern`` (names an erased
        employee, e.g. as mentor); how many. Pending entries are few: a scan is cheap."""
        dropped = 0
        async for doc in self._entries.find({"published_at": None}, session=session):
            kept = [e for e in doc["events"] if not pattern.search(e["value"])]
            if len(kept) < len(doc["events"]):
                dropped += len(doc["events"]) - len(kept)
                await self._keep(doc, kept, session)
        return dropped

    async def _keep(self, doc: dict, events: list[dict], session: AsyncClientSession) -> None:
        if events:
            kept = _document(events) | {"_id": doc["_id"], "seq": doc["seq"]}
            await self._entries.replace_one({"_id": doc["_id"]}, kept, session=session)
        else:
            await self._entries.delete_one({"_id": doc["_id"]}, session=session)

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
        """Publish pending events in write order; returns how many were published."""
        published = 0
        async with self._lock:
            while docs := await self._pending():
                if self._hold_before_publish:
                    await hold_forever("outbox before publish")
                events = [e for doc in docs for e in doc["events"]]
                await self._producer.send_all([_record(e) for e in events])
                # by id, in one round trip: SecantusDB runs a delete with $in as a scan
                await self._entries.bulk_write([DeleteOne({"_id": doc["_id"]}) for doc in docs])
                for event in events:
                    self._metrics.published.labels(self._metrics.service, event["topic"]).inc()
                    _log_published(event)
                published += len(events)
            self._metrics.outbox_pending.labels(self._metrics.service).set(0)
        return published

    async def _pending(self) -> list[dict]:
        documents = max(1, BATCH_SIZE // EVENTS_PER_DOCUMENT)
        cursor = self._entries.find({"published_at": None}).sort("seq", ASCENDING).limit(documents)
        return await cursor.to_list()


def _document(events: list[dict]) -> dict:
    """Pending events, with their keys and topics beside them for the purge and for looking."""
    return {
        "seq": ObjectId(),
        "keys": sorted({e["key"] for e in events}),
        "topics": sorted({e["topic"] for e in events}),
        "events": events,
        "published_at": None,
    }


def _log_published(event: dict) -> None:
    """The milestone that lets one input be followed: a line per event, with its chain."""
    headers = event["headers"]
    event_id = headers.get("ce_id")
    with correlated(headers.get("ce_correlationid") or event_id, event_id):
        log.info("published %s to %s", headers.get("ce_type"), event["topic"])


def _record(doc: dict) -> Record:
    return Record(doc["topic"], doc["key"], doc["value"], doc["headers"])
