"""One MongoDB transaction for a use case: dedupe marker, state changes and outbox entries."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TypeVar

from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.asynchronous.mongo_client import AsyncMongoClient
from pymongo.errors import DuplicateKeyError

from gegenstrom_contracts.envelope import Envelope
from gegenstrom_runtime.outbox import Outbox

KEEP_MARKERS_S = 30 * 24 * 3600
T = TypeVar("T")


class AlreadyProcessed(Exception):
    """The event was handled before; the transaction is rolled back and nothing changes."""


@dataclass
class Transaction:
    """Handed to the work: the session for every read and write, and events to publish."""

    session: AsyncClientSession
    events: list[Envelope] = field(default_factory=list)

    def publish(self, envelope: Envelope) -> None:
        self.events.append(envelope)


class UnitOfWork:
    def __init__(self, client: AsyncMongoClient, db: AsyncDatabase, outbox: Outbox) -> None:
        self._client = client
        self._processed = db["processed_events"]
        self._outbox = outbox

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

        async def transaction(session: AsyncClientSession) -> T:
            tx = Transaction(session)
            if event_id is not None:
                await self._mark_processed(event_id, session)
            result = await work(tx)
            await self._outbox.stage(tx.events, session)
            return result

        async with self._client.start_session() as session:
            result = await session.with_transaction(transaction)
        self._outbox.wake()
        return result

    async def _mark_processed(self, event_id: str, session: AsyncClientSession) -> None:
        try:
            await self._processed.insert_one(
                {"_id": event_id, "at": datetime.now(UTC)}, session=session
            )
        except DuplicateKeyError as error:
            raise AlreadyProcessed(event_id) from error
