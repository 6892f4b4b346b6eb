"""One MongoDB transaction for a use case: dedupe marker, state changes and outbox entries.

A consumer may run a whole batch of records in one transaction (``commit_batch``): the use
cases commit as usual, but into the batch's transaction, and the markers and outbox entries
of all of them are written at once at the end.
"""

from collections.abc import Awaitable, Callable, Collection, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TypeVar

from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.asynchronous.mongo_client import AsyncMongoClient
from pymongo.errors import DuplicateKeyError

from gegenstrom_contracts.envelope import Envelope
from gegenstrom_runtime.lookups import find_in
from gegenstrom_runtime.outbox import Outbox

KEEP_MARKERS_S = 30 * 24 * 3600
T = TypeVar("T")


class AlreadyProcessed(Exception):
    """The event was handled before; the transaction is rolled back and nothing changes."""


@dataclass
class Transaction:
    """Handed to the work: the session for every read and write, events to publish, and
    what to do once the transaction has committed (e.g. update a cache)."""

    session: AsyncClientSession
    events: list[Envelope] = field(default_factory=list)
    committed: list[Callable[[], None]] = field(default_factory=list)

    def publish(self, envelope: Envelope) -> None:
        self.events.append(envelope)

    def after_commit(self, action: Callable[[], None]) -> None:
        """Run ``action`` once the transaction committed; never if it aborts."""
        self.committed.append(action)


@dataclass
class _Batch:
    session: AsyncClientSession
    seen: set[str]  # event ids processed before or earlier in this batch
    markers: list[str] = field(default_factory=list)
    events: list[Envelope] = field(default_factory=list)
    committed: list[Callable[[], None]] = field(default_factory=list)

    def take(self, tx: Transaction) -> None:
        """Collect what a use case inside the batch published and wants run on commit."""
        self.events.extend(tx.events)
        self.committed.extend(tx.committed)


def _run_committed(actions: Sequence[Callable[[], None]]) -> None:
    for action in actions:
        action()


def _event_id(envelope: Envelope) -> str:
    return envelope.id


_batch: ContextVar[_Batch | None] = ContextVar("gegenstrom_batch", default=None)


class UnitOfWork:
    def __init__(self, client: AsyncMongoClient, db: AsyncDatabase, outbox: Outbox) -> None:
        self._client = client
        self._processed = db["processed_events"]
        self._outbox = outbox

    @property
    def outbox(self) -> Outbox:
        return self._outbox

    async def ensure_indexes(self) -> None:
        # Redeliveries come within minutes; markers older than this can go.
        await self._processed.create_index("at", expireAfterSeconds=KEEP_MARKERS_S)

    async def commit(
        self, work: Callable[[Transaction], Awaitable[T]], *, event_id: str | None = None
    ) -> T:
        """Run ``work`` and stage the events it publishes, atomically; return its result.

        With ``event_id`` the work runs at most once per event id: a redelivery raises
        ``AlreadyProcessed`` and changes nothing.
        """
        batch = _batch.get()
        if batch is not None:
            return await self._join(batch, work, event_id)

        attempt: Transaction | None = None

        async def transaction(session: AsyncClientSession) -> T:
            nonlocal attempt
            attempt = tx = Transaction(session)
            if event_id is not None:
                await self._mark_processed(event_id, session)
            result = await work(tx)
            await self._outbox.stage(tx.events, session)
            return result

        async with self._client.start_session() as session:
            result = await session.with_transaction(transaction)
        assert attempt is not None
        _run_committed(attempt.committed)
        self._outbox.wake()
        return result

    async def commit_each(
        self,
        envelopes: Sequence[Envelope],
        work: Callable[[Transaction, list[Envelope]], Awaitable[None]],
        *,
        marker: Callable[[Envelope], str] = _event_id,
    ) -> None:
        """``commit`` for many events at once: ``work`` gets those not handled before.

        Inside a consumer's batch it joins that transaction; alone it makes its own. One
        event that was handled before raises ``AlreadyProcessed``, as ``commit`` does.
        ``marker`` names an event's dedupe marker, for a second use case on the same events.
        """
        batch = _batch.get()
        if batch is None:
            ids = [marker(e) for e in envelopes]
            await self.commit_batch(lambda: self.commit_each(envelopes, work, marker=marker), ids)
            return
        fresh = [e for e in envelopes if marker(e) not in batch.seen]
        if not fresh and len(envelopes) == 1:
            raise AlreadyProcessed(envelopes[0].id)
        batch.seen.update(marker(e) for e in fresh)
        batch.markers += [marker(e) for e in fresh]
        if fresh:
            tx = Transaction(batch.session)
            await work(tx, fresh)
            batch.take(tx)

    async def commit_batch(
        self, run: Callable[[], Awaitable[None]], event_ids: Collection[str]
    ) -> None:
        """Run ``run`` in one transaction; every ``commit`` it makes joins that transaction.

        Anything ``run`` raises aborts the whole batch (the caller then goes record by
        record). A concurrent consumer that marked one of the events first aborts it too.
        """

        attempt: _Batch | None = None

        async def transaction(session: AsyncClientSession) -> None:
            nonlocal attempt
            attempt = batch = _Batch(session, await self._known(event_ids, session))
            token = _batch.set(batch)
            try:
                await run()
            finally:
                _batch.reset(token)
            if batch.markers:
                now = datetime.now(UTC)
                markers = [{"_id": m, "at": now} for m in batch.markers]
                await self._processed.insert_many(markers, session=session)
            await self._outbox.stage(batch.events, session)

        async with self._client.start_session() as session:
            await session.with_transaction(transaction)
        assert attempt is not None
        _run_committed(attempt.committed)
        self._outbox.wake()

    async def _known(self, event_ids: Collection[str], session: AsyncClientSession) -> set[str]:
        found = await find_in(self._processed, "_id", event_ids, projection={"_id": 1},
                              session=session)  # fmt: skip
        return {doc["_id"] for doc in found}

    async def _join(
        self, batch: _Batch, work: Callable[[Transaction], Awaitable[T]], event_id: str | None
    ) -> T:
        if event_id is not None:
            if event_id in batch.seen:
                raise AlreadyProcessed(event_id)
            batch.seen.add(event_id)
            batch.markers.append(event_id)
        tx = Transaction(batch.session)
        result = await work(tx)
        batch.take(tx)
        return result

    async def _mark_processed(self, event_id: str, session: AsyncClientSession) -> None:
        try:
            await self._processed.insert_one(
                {"_id": event_id, "at": datetime.now(UTC)}, session=session
            )
        except DuplicateKeyError as error:
            raise AlreadyProcessed(event_id) from error
