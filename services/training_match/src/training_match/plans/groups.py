"""Who holds which place: mentors' mentees, cohorts and circles, one document per group.

Each use case loads the groups of the offers it plans with, lets the engine plan against
a ledger built from them, and writes back only the groups it changed (one bulk write), each
guarded by its version: a concurrent change makes the transaction fail and the work run again.

The groups are read through a cache in the process (``GroupCache``): a batch of learners
may need the groups of thousands of offers, and re-reading them for every batch cost more
than the planning. The version guards keep a stale cache safe.
"""

import copy
import time
import weakref
from collections.abc import Callable, Collection, Iterable

from pymongo import ReplaceOne
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError

from gegenstrom_runtime.lookups import find_in
from gegenstrom_runtime.unit_of_work import Transaction
from training_match.engine import GROUPED, Ledger, Offer, Placement

DUPLICATE_KEY = 11000


class GroupChanged(RuntimeError):
    """Another transaction changed a group meanwhile; retrying re-plans with its result."""


def member_key(rollout_id: str, employee_id: str) -> str:
    return f"{rollout_id}:{employee_id}"


class GroupCache:
    """The groups of each offer as this process last read or committed them.

    An offer's groups are read again after ``ttl_s``, so places freed by other replicas
    become visible. A stale group cannot over-book: writing it fails its version check
    (``GroupChanged``), which empties the cache, and the retry reads the database.
    """

    TTL_S = 300.0

    def __init__(self, ttl_s: float = TTL_S, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl_s, self._clock = ttl_s, clock
        self._groups: dict[str, dict[str, dict]] = {}  # offer id -> group id -> document
        self._read_at: dict[str, float] = {}

    @classmethod
    def of(cls, db: AsyncDatabase) -> "GroupCache":
        """The cache of this process's connection to ``db``."""
        return _CACHES.setdefault(db, cls())

    async def groups(
        self, db: AsyncDatabase, offer_ids: Iterable[str], session: AsyncClientSession
    ) -> list[dict]:
        """The groups of these offers; those not read within ``ttl_s`` are read in chunks."""
        wanted, now = set(offer_ids), self._clock()
        due = {o for o in wanted if o not in self._read_at or now - self._read_at[o] > self.ttl_s}
        if due:
            read: dict[str, dict[str, dict]] = {o: {} for o in due}
            for doc in await find_in(db["groups"], "offer_id", due, session=session):
                read[doc["offer_id"]][doc["_id"]] = doc
            self._groups.update(read)
            self._read_at.update(dict.fromkeys(due, now))
        return [doc for o in wanted for doc in self._groups[o].values()]

    def store(self, docs: Iterable[dict]) -> None:
        """Groups just committed, for offers already cached."""
        for doc in docs:
            cached = self._groups.get(doc["offer_id"])
            if cached is not None:
                known = cached.get(doc["_id"])
                if known is None or known["version"] < doc["version"]:
                    cached[doc["_id"]] = doc

    def forget(self, offer_ids: Iterable[str]) -> None:
        for offer_id in offer_ids:
            self._groups.pop(offer_id, None)
            self._read_at.pop(offer_id, None)

    def clear(self) -> None:
        self._groups.clear()
        self._read_at.clear()


async def _changed(db: AsyncDatabase, written: dict[str, dict], session: AsyncClientSession) -> str:
    """The first of the groups just written that does not hold what was written."""
    query = {"_id": {"$in": sorted(written)}}
    stored = {d["_id"]: d async for d in db["groups"].find(query, session=session)}
    return next((g for g in sorted(written) if stored.get(g) != written[g]), min(written))


_CACHES: "weakref.WeakKeyDictionary[AsyncDatabase, GroupCache]" = weakref.WeakKeyDictionary()


class GroupBook:
    """Groups to plan with; the cached documents are copied before they are changed."""

    def __init__(self, docs: Iterable[dict], cache: GroupCache | None = None) -> None:
        self._docs = {d["_id"]: d for d in docs}
        self._touched: set[str] = set()
        self._cache = cache or GroupCache(ttl_s=0)

    @classmethod
    async def load(
        cls, db: AsyncDatabase, offer_ids: Iterable[str], session: AsyncClientSession
    ) -> "GroupBook":
        """The groups of these offers: thousands when many mentors offer, so cached."""
        cache = GroupCache.of(db)
        return cls(await cache.groups(db, offer_ids, session), cache)

    @classmethod
    async def holding(
        cls, db: AsyncDatabase, members: Collection[str], session: AsyncClientSession
    ) -> "GroupBook":
        """The groups in which any of ``members`` holds a place, read from the database."""
        query = {"members.member": {"$in": sorted(members)}}
        docs = await db["groups"].find(query, session=session).to_list(None)
        return cls(docs, GroupCache.of(db))

    def _own(self, group_id: str) -> dict:
        """The group's document, copied once before this book changes it."""
        if group_id not in self._touched:
            self._docs[group_id] = copy.deepcopy(self._docs[group_id])
            self._touched.add(group_id)
        return self._docs[group_id]

    def leave(self, members: Collection[str]) -> None:
        """Free every place these members hold (an erased employee's)."""
        for group_id, doc in list(self._docs.items()):
            kept = [m for m in doc["members"] if m["member"] not in members]
            if len(kept) != len(doc["members"]):
                doc = self._own(group_id)
                doc["members"] = kept
                doc["formed"] = doc["formed"] and bool(kept)

    def ledger(self) -> Ledger:
        ledger = Ledger()
        for doc in self._docs.values():
            for m in doc["members"]:
                ledger.add(doc["offer_id"], m["group_key"], doc["_id"], m["process_id"])
        return ledger

    def release(self, member: str, placement: Placement) -> None:
        group_id = placement.group_id
        if group_id is not None and group_id in self._docs:
            doc = self._own(group_id)
            doc["members"] = [m for m in doc["members"] if m["member"] != member]
            doc["formed"] = doc["formed"] and bool(doc["members"])  # an empty group may rerun

    def reserve(self, member: str, placement: Placement) -> None:
        if placement.group_id is None:
            return
        if placement.group_id not in self._docs:
            self._docs[placement.group_id] = _new_group(placement)
            self._touched.add(placement.group_id)
        self._own(placement.group_id)["members"].append(
            {"member": member, "group_key": placement.group_key, "process_id": placement.process_id}
        )

    async def save(self, db: AsyncDatabase, tx: Transaction) -> None:
        """Write the changed groups with one bulk write, each guarded by its version; the
        cache takes them once the transaction has committed."""
        touched = sorted(self._touched)
        if not touched:
            return
        old = {g: self._docs[g]["version"] for g in touched}
        new = {g: {**self._docs[g], "version": old[g] + 1} for g in touched}
        writes = [
            ReplaceOne({"_id": g, "version": old[g]}, new[g], upsert=old[g] == 0) for g in touched
        ]
        try:
            result = await db["groups"].bulk_write(writes, ordered=False, session=tx.session)
        except BulkWriteError as error:  # a new group another transaction opened first
            duplicates = [
                e["index"] for e in error.details["writeErrors"] if e["code"] == DUPLICATE_KEY
            ]
            if not duplicates:
                raise
            self._cache.clear()
            raise GroupChanged(touched[duplicates[0]]) from error
        # Each write either matched its version or (a new group) was inserted; a guarded
        # one that matched nothing was changed by another transaction.
        if result.matched_count + result.upserted_count < len(writes):
            self._cache.clear()
            raise GroupChanged(await _changed(db, new, tx.session))
        self._docs.update(new)
        tx.after_commit(lambda: self._cache.store(new.values()))

    def newly_formed(self, offers: dict[str, Offer]) -> list[dict]:
        """Cohorts and circles that reached their minimum size with this change."""
        formed = []
        for group_id in sorted(self._touched):
            doc = self._docs[group_id]
            offer = offers.get(doc["offer_id"])
            if offer is None or offer.kind not in GROUPED or doc["formed"]:
                continue
            if len(doc["members"]) >= offer.min_group:
                doc["formed"] = True
                formed.append(doc)
        return formed


def _new_group(placement: Placement) -> dict:
    return {
        "_id": placement.group_id,
        "offer_id": placement.offer_id,
        "group_key": placement.group_key,
        "members": [],
        "formed": False,
        "version": 0,
    }
