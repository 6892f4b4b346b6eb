"""Learners (the latest profile per rollout and employee) and their versioned plans."""

import re
from collections.abc import Collection, Iterable
from datetime import date

from pymongo import ReplaceOne
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from gegenstrom_contracts.profiling import CompetenceProfileUpdated
from gegenstrom_runtime.lookups import find_in
from gegenstrom_runtime.versioned import VersionedStore
from training_match.engine import Gap, Learner

Session = AsyncClientSession | None


def plan_key(rollout_id: str, employee_id: str) -> str:
    return f"{rollout_id}:{employee_id}"


class PlanRepository:
    def __init__(self, db: AsyncDatabase) -> None:
        self._learners = db["learners"]
        self.plans = VersionedStore(db["learning_plans"])
        self._plans = db["learning_plans"]

    async def ensure_indexes(self) -> None:
        await self._learners.create_index("rollout_id")
        await self._plans.create_index("content.items.host_id")
        await self._plans.create_index("content.items.status")
        await self._learners.create_index("employee_id")  # erasure
        await self._plans.database["learning_plans_versions"].create_index("key")
        groups = self._plans.database["groups"]
        await groups.create_index("offer_id")  # every batch loads the groups of its offers
        await groups.create_index("members.member")  # erasure

    async def save_learners(
        self, profiles: Iterable[CompetenceProfileUpdated], session: Session
    ) -> None:
        writes = [
            ReplaceOne({"_id": plan_key(p.rollout_id, p.employee_id)}, _learner(p), upsert=True)
            for p in profiles
        ]
        if writes:
            await self._learners.bulk_write(writes, ordered=False, session=session)

    async def profile_versions(self, keys: Collection[str], session: Session) -> dict[str, int]:
        """The profile version each of these learners (by plan key) was planned with."""
        found = await find_in(
            self._learners, "_id", keys, projection={"profile_version": 1}, session=session
        )
        return {doc["_id"]: doc["profile_version"] for doc in found}

    async def learners_among(
        self, rollout_id: str, employee_ids: Collection[str], session: Session
    ) -> list[dict]:
        keys = [plan_key(rollout_id, e) for e in employee_ids]
        found = await find_in(self._learners, "_id", keys, session=session)
        return sorted(found, key=lambda doc: doc["_id"])

    async def plans_among(
        self, rollout_id: str, employee_ids: Collection[str], session: Session
    ) -> dict[str, dict]:
        keys = [plan_key(rollout_id, e) for e in employee_ids]
        found = await find_in(self._plans, "_id", keys, session=session)
        return {doc["_id"].rsplit(":", 1)[1]: doc for doc in found}

    async def learner(self, rollout_id: str, employee_id: str, session: Session) -> dict | None:
        return await self._learners.find_one(
            {"_id": plan_key(rollout_id, employee_id)}, session=session
        )

    async def learners_of(self, rollout_id: str, session: Session) -> list[dict]:
        cursor = self._learners.find({"rollout_id": rollout_id}, session=session).sort("_id", 1)
        return await cursor.to_list(None)

    async def plan(self, rollout_id: str, employee_id: str, session: Session = None) -> dict | None:
        return await self.plans.get(plan_key(rollout_id, employee_id), session)

    async def plans_of(self, rollout_id: str, session: Session = None) -> dict[str, dict]:
        cursor = self._plans.find(
            {"_id": {"$regex": f"^{re.escape(rollout_id)}:"}}, session=session
        )
        return {doc["_id"].rsplit(":", 1)[1]: doc async for doc in cursor}

    async def plan_version(self, rollout_id: str, employee_id: str, version: int) -> dict | None:
        history = self._plans.database["learning_plans_versions"]
        return await history.find_one({"_id": f"{plan_key(rollout_id, employee_id)}@{version}"})

    async def with_items(self, query: dict, limit: int = 1000) -> list[dict]:
        """Plans holding an item that matches ``query`` (on item fields)."""
        match = {"content.items": {"$elemMatch": query}}
        return await self._plans.find(match).sort("_id", 1).to_list(limit)

    async def rollout_ids(self) -> list[str]:
        return sorted(await self._learners.distinct("rollout_id"))


def _learner(profile: CompetenceProfileUpdated) -> dict:
    return {
        "rollout_id": profile.rollout_id,
        "employee_id": profile.employee_id,
        "site_id": profile.site_id,
        "process_id": profile.process_id,
        "profile_version": profile.profile_version,
        "gaps": [g.model_dump(mode="json") for g in profile.gaps],
    }


def to_learner(doc: dict) -> Learner:
    gaps = tuple(
        Gap(
            competence_id=g["competence_id"],
            current_level=g["current_level"],
            target_level=g["target_level"],
            priority=g["priority"],
            due_on=date.fromisoformat(g["due_on"]) if g.get("due_on") else None,
        )
        for g in doc["gaps"]
    )
    return Learner(doc["employee_id"], doc["site_id"], doc.get("process_id"), gaps)
