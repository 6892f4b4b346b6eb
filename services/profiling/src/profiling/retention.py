"""Retention: inputs and profiles of a rollout go once it has been closed long enough."""

from datetime import timedelta
from functools import partial

from pymongo.asynchronous.database import AsyncDatabase

from gegenstrom_contracts.rollouts import RolloutPublished
from gegenstrom_runtime.privacy import Clock, WorksAgreement, purge_rollouts
from gegenstrom_runtime.service import Infrastructure
from gegenstrom_runtime.unit_of_work import Transaction


async def enforce_retention(infra: Infrastructure, agreement: WorksAgreement, clock: Clock) -> int:
    """One round: delete the data of every rollout closed longer than the agreement allows;
    return how many rollouts were purged."""
    days = (await agreement.terms()).retention.closed_rollout_data_days
    today = clock().date()
    expired = []
    async for doc in infra.db["rollouts"].find({}, {"event": 1}):
        closed_on = RolloutPublished.model_validate(doc["event"]).closed_on()
        if closed_on is not None and closed_on + timedelta(days=days) < today:
            expired.append(doc["_id"])
    return await purge_rollouts(infra, expired, partial(_purge, infra.db), "inputs and profiles")


async def _purge(db: AsyncDatabase, tx: Transaction, rollout_id: str) -> None:
    """The rollout's inputs, and the profiles and versions derived from them (same keys)."""
    s = tx.session
    query = {"rollout_id": rollout_id}
    keys = sorted([d["_id"] async for d in db["inputs"].find(query, {"_id": 1}, session=s)])
    await db["inputs"].delete_many(query, session=s)
    await db["profiles"].delete_many({"_id": {"$in": keys}}, session=s)
    await db["profiles_versions"].delete_many({"key": {"$in": keys}}, session=s)
