"""Rollout-wide re-planning after offers changed, debounced: many changes, one run."""

import asyncio
import logging
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from gegenstrom_runtime.service import Infrastructure
from gegenstrom_runtime.unit_of_work import Transaction
from training_match.plans.planning import Emitter, Planner

log = logging.getLogger(__name__)


async def request_replan(
    db: AsyncDatabase, rollout_ids: Iterable[str], session: AsyncClientSession | None = None
) -> None:
    now = datetime.now(UTC)
    for rollout_id in rollout_ids:
        await db["replan_requests"].update_one(
            {"_id": rollout_id}, {"$set": {"changed_at": now}}, upsert=True, session=session
        )


async def replan_now(infra: Infrastructure, rollout_id: str) -> int:
    """Re-plan one rollout in one transaction; how many plans changed."""

    async def work(tx: Transaction) -> int:
        return await Planner(infra).plan_rollout(Emitter(tx), rollout_id)

    changed = await infra.uow.commit(work)
    log.info("re-planned rollout %s: %d plans changed", rollout_id, changed)
    return changed


def debounced_replanner(infra: Infrastructure, quiet_s: float):
    """A loop that re-plans a rollout once its offers have been quiet for ``quiet_s``."""

    async def loop() -> None:
        while True:
            await asyncio.sleep(max(0.2, quiet_s / 4))
            try:
                await _replan_quiet_rollouts(infra, quiet_s)
            except Exception:  # the next round tries again; the service keeps running
                log.exception("debounced re-planning failed")

    return loop


async def _replan_quiet_rollouts(infra: Infrastructure, quiet_s: float) -> None:
    requests = infra.db["replan_requests"]
    quiet_since = datetime.now(UTC) - timedelta(seconds=quiet_s)
    async for request in requests.find({"changed_at": {"$lte": quiet_since}}):
        await replan_now(infra, request["_id"])
        await requests.delete_one({"_id": request["_id"], "changed_at": request["changed_at"]})
