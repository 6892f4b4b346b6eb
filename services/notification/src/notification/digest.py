"""Managers' digest: once per period and site, aggregates of the plans that changed there,
never one message per event and never a figure about fewer than k people.

The clock is injected, so that tests can move it over periods; k is the works agreement's.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta

from pymongo import UpdateOne
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from gegenstrom_contracts.training_match import LearningPlanUpdated
from gegenstrom_runtime.privacy import Clock, system_clock
from notification.contacts import ContactDirectory, ManagerDirectory, language_of
from notification.domain import DEFAULT_LANGUAGE, InboxMessage, digest_message

log = logging.getLogger(__name__)
EPOCH = datetime(2026, 1, 5, tzinfo=UTC)  # a Monday: weekly periods start on Mondays
Threshold = Callable[[], Awaitable[int]]


def last_period(now: datetime, period: timedelta) -> tuple[int, datetime]:
    """The number and start of the period that ended last before ``now``."""
    number = (now - EPOCH) // period - 1
    return number, EPOCH + number * period


async def record_plans(
    db: AsyncDatabase,
    plans: Sequence[LearningPlanUpdated],
    at: datetime,
    session: AsyncClientSession,
) -> None:
    """Remember the plans' figures for their sites' next digest (the latest version counts)."""
    facts = {
        f"{plan.rollout_id}:{plan.employee_id}": {
            "site_id": plan.site_id,
            "rollout_id": plan.rollout_id,
            "changed_at": at,
            "external_cost_avoided_eur": plan.totals.external_cost_avoided_eur,
            "in_house_share": plan.totals.in_house_share,
        }
        for plan in plans
        if plan.site_id is not None
    }  # later plans of one employee overwrite earlier ones: the batch keeps Kafka's order
    writes = [UpdateOne({"_id": key}, {"$set": fact}, upsert=True) for key, fact in facts.items()]
    if writes:
        await db["digest_facts"].bulk_write(writes, ordered=False, session=session)


class Digests:
    def __init__(
        self,
        db: AsyncDatabase,
        directory: ManagerDirectory,
        contacts: ContactDirectory,
        deliver: Callable[[InboxMessage], Awaitable[bool]],
        *,
        period: timedelta,
        k: Threshold,
        clock: Clock = system_clock,
    ) -> None:
        self._db, self._directory, self._contacts = db, directory, contacts
        self._deliver = deliver
        self._period, self._k, self._clock = period, k, clock

    def loop(self, poll_interval_s: float):
        async def run() -> None:
            while True:
                try:
                    await self.tick()
                except Exception:  # the next round tries again; the service keeps running
                    log.exception("digest round failed")
                await asyncio.sleep(poll_interval_s)

        return run

    async def tick(self) -> int:
        """Send the digests of the period that ended last, once; how many were new."""
        number, start = last_period(self._clock(), self._period)
        if number < 0 or await self._db["digest_periods"].find_one({"_id": number}):
            return 0
        sent, k = 0, await self._k()
        for site_id, row in (await self._rows(start, start + self._period)).items():
            for manager in await self._directory.managers(site_id):
                language = await language_of(self._contacts, manager, DEFAULT_LANGUAGE)
                figures = row if row["employees"] >= k else None
                message = digest_message(manager, site_id, number, start, figures, k, language)
                sent += bool(await self._deliver(message))
        await self._db["digest_periods"].insert_one({"_id": number, "sent": sent})
        return sent

    async def _rows(self, start: datetime, end: datetime) -> dict[str, dict]:
        pipeline: list[dict] = [
            {"$match": {"changed_at": {"$gte": start, "$lt": end}}},
            {
                "$group": {
                    "_id": "$site_id",
                    "employees": {"$sum": 1},
                    "avoided": {"$sum": "$external_cost_avoided_eur"},
                    "share": {"$avg": "$in_house_share"},
                }
            },
        ]
        cursor = await self._db["digest_facts"].aggregate(pipeline)
        return {doc["_id"]: doc async for doc in cursor}
