"""Retention: learners, plans with their versions and places of a rollout go once it has
been closed longer than the works agreement allows."""

from datetime import timedelta
from functools import partial

from pymongo.asynchronous.database import AsyncDatabase

from gegenstrom_runtime.privacy import Clock, WorksAgreement, purge_rollouts
from gegenstrom_runtime.service import Infrastructure
from gegenstrom_runtime.unit_of_work import Transaction
from training_match.plans.groups import GroupBook


async def enforce_retention(infra: Infrastructure, agreement: WorksAgreement, clock: Clock) -> int:
    """One round: purge every rollout closed before the retention period; how many."""
    days = (await agreement.terms()).retention.closed_rollout_data_days
    cutoff = (clock().date() - timedelta(days=days)).isoformat()
    expired = [
        doc["_id"]
        async for doc in infra.db["rollouts"].find({"closed_on": {"$ne": None, "$lt": cutoff}})
    ]
    return await purge_rollouts(infra, expired, partial(_purge, infra.db), "learners and plans")


async def _purge(db: AsyncDatabase, tx: Transaction, rollout_id: str) -> None:
    """The rollout's learners, and their plans, versions and places (same keys)."""
    s = tx.session
    query = {"rollout_id": rollout_id}
    keys = sorted([d["_id"] async for d in db["learners"].find(query, {"_id": 1}, session=s)])
    await db["learners"].delete_many(query, session=s)
    await db["learning_plans"].delete_many({"_id": {"$in": keys}}, session=s)
    await db["learning_plans_versions"].delete_many({"key": {"$in": keys}}, session=s)
    await db["replan_requests"].delete_one({"_id": rollout_id}, session=s)
    book = await GroupBook.holding(db, keys, s)
    book.leave(keys)
    await book.save(db, tx)
