"""Retention: learners, plans with their versions and places of a rollout go once it has
been closed longer than the works agreement allows."""

import logging
from datetime import timedelta
from functools import partial

from gegenstrom_runtime.privacy import Clock, WorksAgreement
from gegenstrom_runtime.service import Infrastructure
from gegenstrom_runtime.unit_of_work import Transaction
from training_match.plans.groups import GroupBook

log = logging.getLogger(__name__)


async def enforce_retention(infra: Infrastructure, agreement: WorksAgreement, clock: Clock) -> int:
    """One round: purge every rollout closed before the retention period; how many."""
    days = (await agreement.terms()).retention.closed_rollout_data_days
    cutoff = (clock().date() - timedelta(days=days)).isoformat()
    expired = [
        doc["_id"]
        async for doc in infra.db["rollouts"].find({"closed_on": {"$ne": None, "$lt": cutoff}})
    ]
    for rollout_id in expired:
        await infra.uow.commit(partial(_purge, infra, rollout_id=rollout_id))
    if expired:
        log.info("retention: deleted the data of closed rollouts %s", ", ".join(expired))
    return len(expired)


async def _purge(infra: Infrastructure, tx: Transaction, *, rollout_id: str) -> None:
    """The rollout's learners, and their plans, versions and places (same keys)."""
    db, s = infra.db, tx.session
    query = {"rollout_id": rollout_id}
    keys = sorted([d["_id"] async for d in db["learners"].find(query, {"_id": 1}, session=s)])
    await db["learners"].delete_many(query, session=s)
    await db["learning_plans"].delete_many({"_id": {"$in": keys}}, session=s)
    await db["learning_plans_versions"].delete_many({"key": {"$in": keys}}, session=s)
    await db["replan_requests"].delete_one({"_id": rollout_id}, session=s)
    book = await GroupBook.holding(db, keys, s)
    book.leave(keys)
    await book.save(db, s)
