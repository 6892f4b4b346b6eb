"""The ``offers`` collection: HR's offers and employees' mentoring offers."""

from collections.abc import Iterable

from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from training_match.engine import Offer
from training_match.offers.model import to_engine

Session = AsyncClientSession | None


class OfferRepository:
    def __init__(self, db: AsyncDatabase) -> None:
        self._offers = db["offers"]

    async def ensure_indexes(self) -> None:
        await self._offers.create_index([("competence_id", 1), ("active", 1)])
        await self._offers.create_index("trainer_id")

    async def get(self, offer_id: str, session: Session = None) -> dict | None:
        return await self._offers.find_one({"_id": offer_id}, session=session)

    async def put(self, doc: dict, session: Session = None) -> str:
        """Store one offer; say whether it is new, changed or unchanged."""
        current = await self.get(doc["_id"], session)
        if current == doc:
            return "unchanged"
        await self._offers.replace_one({"_id": doc["_id"]}, doc, upsert=True, session=session)
        return "changed" if current else "new"

    async def put_many(self, docs: Iterable[dict], session: Session = None) -> dict[str, str]:
        return {doc["_id"]: await self.put(doc, session) for doc in docs}

    async def withdraw(self, offer_id: str, session: Session = None) -> bool:
        """Take an offer out of planning; items already planned keep their record of it."""
        result = await self._offers.update_one(
            {"_id": offer_id, "active": True}, {"$set": {"active": False}}, session=session
        )
        return result.modified_count == 1

    async def sync_mentor(self, employee_id: str, docs: list[dict], session: Session) -> bool:
        """Make the employee's mentoring offers exactly ``docs``; True if anything changed."""
        keep = {d["_id"] for d in docs}
        outcomes = await self.put_many(docs, session)
        stale = await self._offers.update_many(
            {
                "source": "profile",
                "trainer_id": employee_id,
                "_id": {"$nin": list(keep)},
                "active": True,
            },
            {"$set": {"active": False}},
            session=session,
        )
        return stale.modified_count > 0 or any(o != "unchanged" for o in outcomes.values())

    async def sync_mentors(self, docs_of: dict[str, list[dict]], session: Session) -> None:
        """``sync_mentor`` for many employees; only those offering now or before are touched."""
        offered = await self._offers.distinct(
            "trainer_id",
            {"source": "profile", "trainer_id": {"$in": list(docs_of)}, "active": True},
            session=session,
        )
        for employee_id, docs in docs_of.items():
            if docs or employee_id in offered:
                await self.sync_mentor(employee_id, docs, session)

    async def for_competences(self, competence_ids: Iterable[str], session: Session) -> list[Offer]:
        cursor = self._offers.find(
            {"competence_id": {"$in": sorted(set(competence_ids))}, "active": True},
            session=session,
        )
        return [to_engine(doc) async for doc in cursor]

    async def active(self, session: Session = None) -> list[Offer]:
        return [
            to_engine(doc) async for doc in self._offers.find({"active": True}, session=session)
        ]

    async def find(self, query: dict, limit: int) -> list[dict]:
        return await self._offers.find(query).sort("_id", 1).to_list(limit)

    async def hosted_by(self, host_id: str) -> list[dict]:
        return await self._offers.find({"trainer_id": host_id}).to_list(None)
