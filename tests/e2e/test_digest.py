"""Managers' digest on a clock the test moves: one per site and period with aggregates,
nothing about fewer than k people, nothing twice."""

import asyncio
from datetime import timedelta

import httpx

from gegenstrom_contracts import topics
from gegenstrom_contracts.envelope import Envelope
from gegenstrom_contracts.training_match import LearningPlanUpdated, PlanTotals
from notification.digest import EPOCH
from notification.main import create_app
from notification.settings import NotificationSettings
from support.apps import infra_settings, serving
from support.company import seed_company
from support.kafka_io import produce_envelopes, wait_group_caught_up
from support.waiting import count_reaches

WEEK = timedelta(days=7)


class MovableClock:
    def __init__(self) -> None:
        self.now = EPOCH + 10 * WEEK + timedelta(hours=1)

    def __call__(self):
        return self.now


def plan(employee_id: str, site_id: str, version: int = 1) -> Envelope:
    totals = PlanTotals(hours=8, cost_eur=0, external_cost_avoided_eur=900, in_house_share=1)
    event = LearningPlanUpdated(
        employee_id=employee_id,
        rollout_id="rollout-1",
        plan_version=version,
        profile_version=version,
        site_id=site_id,
        totals=totals,
    )
    return Envelope(event, "/tests")


async def test_two_periods_make_exactly_two_digests_per_site(start_service, namespace):
    intake = start_service("intake")
    async with httpx.AsyncClient(base_url=intake.url) as http:
        ids = await seed_company(http, employees=9)
    manager = ids["1000"]  # manages everyone else; speaks English (Gdańsk)
    hamburg = [ids[n] for n in ("1001", "1002", "1004")]
    clock = MovableClock()
    settings = NotificationSettings(
        **infra_settings(namespace, "notification"),
        intake_url=intake.url,
        digest_poll_interval_s=0.1,
        k_threshold=3,
    )
    app = create_app(settings, clock=clock)
    bootstrap, prefix = namespace.servers.kafka_bootstrap, namespace.topic_prefix

    async with serving(app) as infra:
        inbox = infra.db["inbox"]

        async def digests(site: str) -> list[dict]:
            query = {"recipient_id": manager, "about_event_type": "digest"}
            return [d async for d in inbox.find(query) if d["_id"].split(":")[2] == site]

        async def settle() -> None:
            await wait_group_caught_up(
                bootstrap,
                namespace.group("notification", topics.LEARNING_PLAN),
                namespace.topic(topics.LEARNING_PLAN),
            )

        events = [plan(e, "hamburg") for e in hamburg] + [plan(ids["1003"], "gdansk")]
        await produce_envelopes(bootstrap, prefix, events)
        await settle()
        await asyncio.sleep(0.5)  # the period before had no plans: no digest
        assert await inbox.count_documents({"about_event_type": "digest"}) == 0

        clock.now += WEEK  # period 10 ends
        await count_reaches(lambda: inbox.count_documents({"about_event_type": "digest"}), 2)
        [first] = await digests("hamburg")
        assert first["title"] == "Weekly overview hamburg: learning plans"
        assert "3 new or changed learning plans" in first["body"]
        assert "2700 EUR" in first["body"]
        [hidden] = await digests("gdansk")  # one plan only: under k, no figures
        assert "fewer than 3" in hidden["body"] and "900" not in hidden["body"]

        await produce_envelopes(bootstrap, prefix, [plan(e, "hamburg", 2) for e in hamburg])
        await settle()
        clock.now += WEEK  # period 11 ends
        await count_reaches(lambda: inbox.count_documents({"about_event_type": "digest"}), 3)
        await asyncio.sleep(0.5)  # more ticks in the same period send nothing more
        assert len(await digests("hamburg")) == 2
        assert len(await digests("gdansk")) == 1  # nothing changed there in period 11
