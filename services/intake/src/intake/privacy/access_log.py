"""The access log: who read whose personal data, from every service's access events.

Employees see their own entries; the works council sees only k-anonymous counts.
"""

from datetime import datetime

from pymongo import ASCENDING, DESCENDING
from pymongo.asynchronous.client_session import AsyncClientSession

from gegenstrom_contracts.envelope import Envelope
from gegenstrom_contracts.privacy import PersonalDataAccessed
from gegenstrom_runtime.aggregates import EMPLOYEES, suppressed
from gegenstrom_runtime.service import Infrastructure
from gegenstrom_runtime.unit_of_work import Transaction

ERASED = "erased"
MY_ENTRIES = 1000


class AccessLog:
    def __init__(self, infra: Infrastructure) -> None:
        self._infra = infra
        self._docs = infra.db["access_log"]

    async def ensure_indexes(self) -> None:
        await self._docs.create_index("employee_ids")
        await self._docs.create_index("reader_id")
        await self._docs.create_index([("accessed_at", ASCENDING)])

    async def on_accessed(self, envelope: Envelope) -> None:
        """Keep one entry per access; erased employees are left out of it."""
        event: PersonalDataAccessed = envelope.data  # type: ignore[assignment]

        async def work(tx: Transaction) -> None:
            erased = await self._infra.erased.held([*event.employee_ids, event.reader_id])
            about = [e for e in event.employee_ids if e not in erased]
            if not about:
                return
            doc = event.model_dump() | {
                "employee_ids": about,
                "reader_id": ERASED if event.reader_id in erased else event.reader_id,
            }
            await self._docs.replace_one(
                {"_id": event.access_id}, doc, upsert=True, session=tx.session
            )

        await self._infra.uow.commit(work, event_id=envelope.id)

    async def about(self, employee_id: str) -> list[dict]:
        """Who read the employee's data, newest first; readers by name where known."""
        query = {"employee_ids": employee_id}
        docs = await self._docs.find(query).sort("accessed_at", DESCENDING).to_list(MY_ENTRIES)
        names = await self._names({d["reader_id"] for d in docs})
        return [
            {
                "reader": names.get(d["reader_id"], d["reader_id"]),
                "reader_role": d["reader_role"],
                "data": d["data"],
                "service": d["service"],
                "accessed_at": d["accessed_at"],
            }
            for d in docs
        ]

    async def _names(self, ids: set[str]) -> dict[str, str]:
        cursor = self._infra.db["employees"].find(
            {"_id": {"$in": sorted(ids)}}, {"first_name": 1, "last_name": 1}
        )
        return {d["_id"]: f"{d['first_name']} {d['last_name']}" async for d in cursor}

    async def stats(self, since: datetime | None, k: int) -> list[dict]:
        """Per reader role and kind of data: how many distinct employees were read about;
        cells of fewer than k are suppressed."""
        table = {
            (r["_id"]["reader_role"], r["_id"]["data"]): {EMPLOYEES: r["employees"]}
            for r in await (await self._docs.aggregate(_distinct_read(since))).to_list()
        }
        return [
            {"reader_role": role, "data": data, "employees": row[EMPLOYEES] if row else None}
            for (role, data), row in sorted(suppressed(table, k).items())
        ]

    async def forget(self, employee_id: str, session: AsyncClientSession) -> None:
        """Erasure: the employee leaves every entry; one they read stays, read by "erased"."""
        await self._docs.update_many(
            {"employee_ids": employee_id}, {"$pull": {"employee_ids": employee_id}}, session=session
        )
        await self._docs.delete_many({"employee_ids": {"$size": 0}}, session=session)
        await self._docs.update_many(
            {"reader_id": employee_id}, {"$set": {"reader_id": ERASED}}, session=session
        )

    async def expire(self, before: datetime) -> int:
        """Retention: delete the entries of accesses before ``before``."""
        return (await self._docs.delete_many({"accessed_at": {"$lt": before}})).deleted_count


def _distinct_read(since: datetime | None) -> list[dict]:
    cell = {"reader_role": "$reader_role", "data": "$data"}
    return [
        {"$match": {"accessed_at": {"$gte": since}} if since else {}},
        {"$unwind": "$employee_ids"},
        {"$group": {"_id": cell | {"employee": "$employee_ids"}}},
        {
            "$group": {
                "_id": {"reader_role": "$_id.reader_role", "data": "$_id.data"},
                "employees": {"$sum": 1},
            }
        },
    ]
