"""What profiling knows, in its own MongoDB database: the latest version of each input,
rollout and confirmed requirement profile, every piece of evidence (append-only), and
the employees' assignments (for the aggregates)."""

from pymongo import ReplaceOne
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from gegenstrom_contracts.intake import EmployeeInputSubmitted
from gegenstrom_contracts.profiling import LevelSource
from gegenstrom_contracts.rollouts import RequirementProfileConfirmed, RolloutPublished
from gegenstrom_runtime.lookups import find_in
from profiling.rules import Evidence

Session = AsyncClientSession


class ProfilingState:
    def __init__(self, db: AsyncDatabase) -> None:
        self.inputs = db["inputs"]
        self.rollouts = db["rollouts"]
        self.requirement_profiles = db["requirement_profiles"]
        self.evidence = db["evidence"]
        self.employees = db["employees"]
        self.epochs = db["rollout_epochs"]

    async def ensure_indexes(self) -> None:
        await self.inputs.create_index([("rollout_id", 1), ("employee_id", 1)])
        await self.inputs.create_index("employee_id")
        await self.requirement_profiles.create_index("rollout_id")
        await self.evidence.create_index([("employee_id", 1), ("observed_at", 1)])
        await self.evidence.database["profiles_versions"].create_index("key")  # erasure

    async def keep_newer(self, collection, key: str, version: int, doc: dict, s: Session) -> bool:
        """Store ``doc`` unless a version at least as new is there; True when stored.

        Reads first: a failed write would abort the surrounding transaction.
        """
        stored = await collection.find_one({"_id": key}, {"version": 1}, session=s)
        if stored and stored["version"] >= version:
            return False
        await collection.replace_one(
            {"_id": key}, {"version": version, **doc}, upsert=True, session=s
        )
        return True

    async def keep_newer_many(
        self, collection, docs: dict[str, tuple[int, dict]], s: Session
    ) -> list[str]:
        """``keep_newer`` for many documents (key: (version, doc)) with one read and one
        write; returns the keys stored."""
        found = await find_in(collection, "_id", docs, projection={"version": 1}, session=s)
        stored = {doc["_id"]: doc["version"] for doc in found}
        newer = [key for key, (version, _) in docs.items() if stored.get(key, 0) < version]
        if newer:
            writes = [
                ReplaceOne({"_id": key}, {"version": docs[key][0], **docs[key][1]}, upsert=True)
                for key in newer
            ]
            await collection.bulk_write(writes, ordered=False, session=s)
        return newer

    async def claim(self, rollout_id: str, s: Session) -> None:
        """Write the rollout's epoch, so that concurrent transactions on one rollout
        conflict and one of them retries, rather than each missing what the other wrote
        (an input profiled while its rollout's new version is being applied)."""
        await self.epochs.update_one(
            {"_id": rollout_id}, {"$inc": {"epoch": 1}}, upsert=True, session=s
        )

    async def add_evidence(self, evidence: Evidence, employee_id: str, s: Session) -> bool:
        """Append the evidence; False when it is known already."""
        if await self.evidence.find_one({"_id": evidence.evidence_id}, {"_id": 1}, session=s):
            return False
        await self.evidence.insert_one(
            {
                "_id": evidence.evidence_id,
                "employee_id": employee_id,
                "competence_id": evidence.competence_id,
                "level": evidence.level,
                "source": evidence.source.value,
                "observed_at": evidence.observed_at,
            },
            session=s,
        )
        return True

    async def rollout(self, rollout_id: str, s: Session) -> RolloutPublished | None:
        doc = await self.rollouts.find_one({"_id": rollout_id}, session=s)
        return RolloutPublished.model_validate(doc["event"]) if doc else None

    async def confirmed(
        self, rollout_id: str, s: Session
    ) -> dict[str, RequirementProfileConfirmed]:
        cursor = self.requirement_profiles.find({"rollout_id": rollout_id}, session=s)
        return {
            doc["requirement_id"]: RequirementProfileConfirmed.model_validate(doc["event"])
            async for doc in cursor
        }

    async def inputs_of(self, query: dict, s: Session) -> list[EmployeeInputSubmitted]:
        return [
            EmployeeInputSubmitted.model_validate(doc["event"])
            async for doc in self.inputs.find(query, session=s)
        ]

    async def evidence_of(self, employee_ids: list[str], s: Session) -> dict[str, list[Evidence]]:
        found: dict[str, list[Evidence]] = {e: [] for e in employee_ids}
        for doc in await find_in(self.evidence, "employee_id", employee_ids, session=s):
            found[doc["employee_id"]].append(_evidence(doc))
        return found


def _evidence(doc: dict) -> Evidence:
    return Evidence(
        competence_id=doc["competence_id"],
        level=doc["level"],
        source=LevelSource(doc["source"]),
        observed_at=doc["observed_at"],
        evidence_id=doc["_id"],
    )
