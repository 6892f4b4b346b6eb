"""The ``offers`` collection: HR's offers and employees' mentoring offers.

Every change to it replaces a token (``offer_catalog``) in the same transaction. Planning
reads the active offers once per token and keeps them in the process: with thousands of
mentors, reading their offers for every batch of learners cost more than the planning.
"""

import uuid
import weakref
from collections.abc import Iterable
from dataclasses import dataclass, field

from pymongo import ReplaceOne, UpdateMany
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from gegenstrom_runtime.lookups import find_in
from training_match.engine import Offer
from training_match.offers.model import to_engine

Session = AsyncClientSession | None
TOKEN = {"_id": "token"}


@dataclass
class _ActiveOffers:
    """The active offers as of a catalog token."""

    token: str | None = None
    offers: list[Offer] = field(default_factory=list)


_CACHES: "weakref.WeakKeyDictionary[AsyncDatabase, _ActiveOffers]" = weakref.WeakKeyDictionary()


class OfferRepository:
    def __init__(self, db: AsyncDatabase) -> None:
        self._offers = db["offers"]
        self._catalog = db["offer_catalog"]
        self._active = _CACHES.setdefault(db, _ActiveOffers())

    async def ensure_indexes(self) -> None:
        await self._offers.create_index([("competence_id", 1), ("active", 1)])
        await self._offers.create_index("trainer_id")

    async def get(self, offer_id: str, session: Session = None) -> dict | None:
        return await self._offers.find_one({"_id": offer_id}, session=session)

    async def get_many(self, offer_ids: Iterable[str], session: Session = None) -> dict[str, dict]:
        """The stored ones of these offers, by id, with one read."""
        found = await find_in(self._offers, "_id", set(offer_ids), session=session)
        return {doc["_id"]: doc for doc in found}

    async def put(self, doc: dict, session: Session = None) -> str:
        """Store one offer; say whether it is new, changed or unchanged."""
        current = await self.get(doc["_id"], session)
        if current == doc:
            return "unchanged"
        await self._offers.replace_one({"_id": doc["_id"]}, doc, upsert=True, session=session)
        await self.mark_changed(session)
        return "changed" if current else "new"

    async def put_many(self, docs: Iterable[dict], session: Session = None) -> dict[str, str]:
        """``put`` for many offers with one read and one bulk write."""
        docs = list(docs)
        outcomes, writes = self._puts(docs, await self.get_many((d["_id"] for d in docs), session))
        if writes:
            await self._offers.bulk_write(writes, ordered=False, session=session)
            await self.mark_changed(session)
        return outcomes

    @staticmethod
    def _puts(docs: list[dict], stored: dict[str, dict]) -> tuple[dict[str, str], list[ReplaceOne]]:
        """Each doc's outcome against the stored offers, and the writes that store it."""
        outcomes: dict[str, str] = {}
        writes: dict[str, ReplaceOne] = {}
        for doc in docs:
            current = stored.get(doc["_id"])
            if current == doc:
                outcomes[doc["_id"]] = "unchanged"
                continue
            writes[doc["_id"]] = ReplaceOne({"_id": doc["_id"]}, doc, upsert=True)
            outcomes[doc["_id"]] = "changed" if current else "new"
            stored[doc["_id"]] = doc
        return outcomes, list(writes.values())

    async def withdraw(self, offer_id: str, session: Session = None) -> bool:
        """Take an offer out of planning; items already planned keep their record of it."""
        result = await self._offers.update_one(
            {"_id": offer_id, "active": True}, {"$set": {"active": False}}, session=session
        )
        if result.modified_count:
            await self.mark_changed(session)
        return result.modified_count == 1

    async def sync_mentor(self, employee_id: str, docs: list[dict], session: Session) -> bool:
        """Make the employee's mentoring offers exactly ``docs``; True if anything changed."""
        return await self._sync({employee_id: docs}, session)

    async def sync_mentors(self, docs_of: dict[str, list[dict]], session: Session) -> None:
        """``sync_mentor`` for many employees; only those offering now or before are touched.

        One read of who offers, one of their offers, and one bulk write for all of them.
        """
        offered = await self._offers.distinct(
            "trainer_id",
            {"source": "profile", "trainer_id": {"$in": list(docs_of)}, "active": True},
            session=session,
        )
        touched = {e: docs for e, docs in docs_of.items() if docs or e in offered}
        if touched:
            await self._sync(touched, session)

    async def _sync(self, docs_of: dict[str, list[dict]], session: Session) -> bool:
        every = [d for docs in docs_of.values() for d in docs]
        stored = await self.get_many((d["_id"] for d in every), session) if every else {}
        writes: list[ReplaceOne | UpdateMany] = []
        changed = False
        for employee_id, docs in docs_of.items():
            outcomes, puts = self._puts(docs, stored)
            changed = changed or any(o != "unchanged" for o in outcomes.values())
            writes += puts
            stale = {
                "source": "profile",
                "trainer_id": employee_id,
                "_id": {"$nin": sorted({d["_id"] for d in docs})},
                "active": True,
            }
            writes.append(UpdateMany(stale, {"$set": {"active": False}}))
        result = await self._offers.bulk_write(writes, ordered=True, session=session)
        changed = changed or result.modified_count > 0
        if changed:
            await self.mark_changed(session)
        return changed

    async def mark_changed(self, session: Session) -> None:
        """Replace the catalog token; call after every write to ``offers``, in its session."""
        token = {"$set": {"token": uuid.uuid4().hex}}
        await self._catalog.update_one(TOKEN, token, upsert=True, session=session)

    async def for_competences(self, competence_ids: Iterable[str], session: Session) -> list[Offer]:
        wanted = set(competence_ids)
        return [o for o in await self.active(session) if o.competence_id in wanted]

    async def active(self, session: Session = None) -> list[Offer]:
        """The active offers by id, read again only when the catalog token changed."""
        found = await self._catalog.find_one(TOKEN, session=session)
        token = found["token"] if found else None
        if token is None or token != self._active.token:
            cursor = self._offers.find({"active": True}, session=session).sort("_id", 1)
            offers = [to_engine(doc) async for doc in cursor]
            self._active.token, self._active.offers = token, offers
        return self._active.offers

    async def find(self, query: dict, limit: int) -> list[dict]:
        return await self._offers.find(query).sort("_id", 1).to_list(limit)

    async def hosted_by(self, host_id: str) -> list[dict]:
        return await self._offers.find({"trainer_id": host_id}).to_list(None)
