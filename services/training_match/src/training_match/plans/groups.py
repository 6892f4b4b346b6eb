"""Who holds which place: mentors' mentees, cohorts and circles, one document per group.

Each use case loads the groups of the offers it plans with, lets the engine plan against
a ledger built from them, and writes back only the groups it changed (one bulk write), each
guarded by its version: a concurrent change makes the transaction fail and the work run again.
"""

from collections.abc import Collection, Iterable

from pymongo import ReplaceOne
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from gegenstrom_runtime.lookups import find_in
from training_match.engine import GROUPED, Ledger, Offer, Placement


class GroupChanged(RuntimeError):
    """Another transaction changed a group meanwhile; retrying re-plans with its result."""


def member_key(rollout_id: str, employee_id: str) -> str:
    return f"{rollout_id}:{employee_id}"


class GroupBook:
    def __init__(self, docs: Iterable[dict]) -> None:
        self._docs = {d["_id"]: d for d in docs}
        self._touched: set[str] = set()

    @classmethod
    async def load(
        cls, db: AsyncDatabase, offer_ids: Iterable[str], session: AsyncClientSession
    ) -> "GroupBook":
        """The groups of these offers: thousands when many mentors offer, so in chunks."""
        return cls(await find_in(db["groups"], "offer_id", set(offer_ids), session=session))

    @classmethod
    async def holding(
        cls, db: AsyncDatabase, members: Collection[str], session: AsyncClientSession
    ) -> "GroupBook":
        """The groups in which any of ``members`` holds a place."""
        query = {"members.member": {"$in": sorted(members)}}
        return cls(await db["groups"].find(query, session=session).to_list(None))

    def leave(self, members: Collection[str]) -> None:
        """Free every place these members hold (an erased employee's)."""
        for doc in self._docs.values():
            kept = [m for m in doc["members"] if m["member"] not in members]
            if len(kept) != len(doc["members"]):
                doc["members"] = kept
                doc["formed"] = doc["formed"] and bool(kept)
                self._touched.add(doc["_id"])

    def ledger(self) -> Ledger:
        ledger = Ledger()
        for doc in self._docs.values():
            for m in doc["members"]:
                ledger.add(doc["offer_id"], m["group_key"], doc["_id"], m["process_id"])
        return ledger

    def release(self, member: str, placement: Placement) -> None:
        doc = self._docs.get(placement.group_id or "")
        if doc is not None:
            doc["members"] = [m for m in doc["members"] if m["member"] != member]
            doc["formed"] = doc["formed"] and bool(doc["members"])  # an empty group may rerun
            self._touched.add(doc["_id"])

    def reserve(self, member: str, placement: Placement) -> None:
        if placement.group_id is None:
            return
        doc = self._docs.setdefault(placement.group_id, _new_group(placement))
        doc["members"].append(
            {"member": member, "group_key": placement.group_key, "process_id": placement.process_id}
        )
        self._touched.add(doc["_id"])

    async def save(self, db: AsyncDatabase, session: AsyncClientSession) -> None:
        """Write the changed groups with one bulk write, each guarded by its version."""
        touched = sorted(self._touched)
        writes = []
        for group_id in touched:
            doc = self._docs[group_id]
            version = doc["version"]
            doc["version"] = version + 1
            writes.append(
                ReplaceOne({"_id": group_id, "version": version}, doc, upsert=version == 0)
            )
        if not writes:
            return
        result = await db["groups"].bulk_write(writes, ordered=False, session=session)
        # Each write either matched its version or (a new group) was inserted; a guarded
        # one that matched nothing was changed by another transaction.
        if result.matched_count + result.upserted_count < len(writes):
            raise GroupChanged(await self._changed(db, touched, session))

    async def _changed(
        self, db: AsyncDatabase, group_ids: list[str], session: AsyncClientSession
    ) -> str:
        """The first of the groups just written that does not hold what was written."""
        query = {"_id": {"$in": group_ids}}
        stored = {d["_id"]: d async for d in db["groups"].find(query, session=session)}
        return next((g for g in group_ids if stored.get(g) != self._docs[g]), group_ids[0])

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
