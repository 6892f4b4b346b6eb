"""The competence catalog in intake's MongoDB."""

from dataclasses import dataclass

from pymongo import ReplaceOne
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from intake.catalog.model import Competence


@dataclass(frozen=True)
class Upserted:
    new: int
    changed: int
    unchanged: int


class CatalogRepository:
    def __init__(self, db: AsyncDatabase) -> None:
        self.competences = db["competences"]
        self.occupations = db["occupations"]

    async def ensure_indexes(self) -> None:
        await self.competences.create_index([("source", 1), ("category", 1)])
        await self.competences.create_index("parent_ids")

    async def get(self, competence_id: str, session=None) -> Competence | None:
        doc = await self.competences.find_one({"_id": competence_id}, session=session)
        return Competence.model_validate(_fields(doc)) if doc else None

    async def find(self, query: dict, skip: int, limit: int) -> list[Competence]:
        cursor = self.competences.find(query).sort("_id").skip(skip).limit(limit)
        return [Competence.model_validate(_fields(doc)) async for doc in cursor]

    async def existing_ids(self, ids: set[str], session=None) -> set[str]:
        cursor = self.competences.find({"_id": {"$in": sorted(ids)}}, {"_id": 1}, session=session)
        return {doc["_id"] async for doc in cursor}

    async def upsert(
        self, competences: list[Competence], session: AsyncClientSession | None, write: bool
    ) -> Upserted:
        """Write what is new or different; with ``write=False`` only count (a dry run)."""
        stored = {
            doc["_id"]: _fields(doc)
            async for doc in self.competences.find(
                {"_id": {"$in": [c.competence_id for c in competences]}}, session=session
            )
        }
        writes = [
            ReplaceOne({"_id": c.competence_id}, c.model_dump(mode="json"), upsert=True)
            for c in competences
            if stored.get(c.competence_id) != c.model_dump(mode="json")
        ]
        if write and writes:
            await self.competences.bulk_write(writes, ordered=False, session=session)
        new = sum(c.competence_id not in stored for c in competences)
        return Upserted(new, len(writes) - new, len(competences) - len(writes))

    async def upsert_occupations(self, occupations: list[dict], session) -> None:
        writes = [ReplaceOne({"_id": o["uri"]}, o, upsert=True) for o in occupations]
        if writes:
            await self.occupations.bulk_write(writes, ordered=False, session=session)


def _fields(doc: dict) -> dict:
    return {k: v for k, v in doc.items() if k != "_id"}
