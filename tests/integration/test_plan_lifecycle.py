"""The life of a plan through real Kafka and MongoDB, with profiling running beside
training-match: a mentor accepts, the learner starts and completes, the mentor confirms;
the evidence reaches profiling, whose new profile version training-match plans again."""

import json

import httpx
import pytest

from gegenstrom_contracts import topics
from gegenstrom_contracts.envelope import Envelope
from gegenstrom_contracts.rollouts import (
    ProfileItem,
    Requirement,
    RequirementProfileConfirmed,
    RolloutPublished,
)
from gegenstrom_runtime.auth import Role
from profiling.main import create_app as create_profiling
from profiling.settings import ProfilingSettings
from support.apps import infra_settings, serving
from support.factories import input_event
from support.kafka_io import produce_envelopes, read_until, wait_group_caught_up
from support.tokens import bearer
from training_match.main import create_app as create_training_match
from training_match.settings import TrainingMatchSettings

LEARNER, MENTOR, OTHER_MENTOR = "emp-learner", "emp-mentor-1", "emp-mentor-2"
HR = bearer("hr-1", Role.HR)


def rollout() -> list[Envelope]:
    published = RolloutPublished(
        rollout_id="rollout-1",
        rollout_version=1,
        title="Kennzahlen",
        site_ids=["hamburg"],
        requirements=[Requirement(requirement_id="kpi", title="Kennzahlen")],
    )
    confirmed = RequirementProfileConfirmed(
        rollout_id="rollout-1",
        requirement_id="kpi",
        profile_version=1,
        role_ids=[],
        process_ids=[],
        proposals_considered=0,
        items=[ProfileItem(competence_id="kpi-reading", category="method", target_level=3)],
    )
    return [Envelope(published, "/tests"), Envelope(confirmed, "/tests")]


def employee(employee_id: str, level: int, mentors: bool) -> Envelope:
    offer = {"competence_ids": ["kpi-reading"], "capacity": 2} if mentors else None
    return input_event(
        employee_id,
        self_ratings=[{"competence_id": "kpi-reading", "level": level}],
        learning_wishes=[],
        mentoring_offer=offer,
    )


@pytest.fixture
async def services(namespace):
    profiling = create_profiling(ProfilingSettings(**infra_settings(namespace, "profiling")))
    settings = infra_settings(namespace, "training_match") | {"replan_debounce_s": 0}
    training_match = create_training_match(TrainingMatchSettings(**settings))
    async with serving(profiling), serving(training_match):
        transport = httpx.ASGITransport(app=training_match)
        async with httpx.AsyncClient(transport=transport, base_url="http://tm") as client:
            yield client


async def plans_until(namespace, done) -> list[dict]:
    records = await read_until(
        namespace.servers.kafka_bootstrap,
        namespace.topic(topics.LEARNING_PLAN),
        lambda rs: done([json.loads(r.value) for r in rs]),
    )
    return [json.loads(r.value) for r in records]


def learner_plans(plans: list[dict]) -> list[dict]:
    return [p for p in plans if p["employee_id"] == LEARNER]


async def test_the_life_of_a_plan_ends_in_evidence_and_a_new_profile(services, namespace):
    client = services
    bootstrap, prefix = namespace.servers.kafka_bootstrap, namespace.topic_prefix
    await produce_envelopes(
        bootstrap, prefix, [*rollout(), employee(MENTOR, 4, True), employee(OTHER_MENTOR, 4, True)]
    )
    await plans_until(namespace, lambda ps: len(ps) == 2)  # the mentors offer themselves
    await produce_envelopes(bootstrap, prefix, [employee(LEARNER, 1, False)])
    [plan] = learner_plans(await plans_until(namespace, lambda ps: len(learner_plans(ps)) == 1))
    [item] = plan["items"]
    assert (item["kind"], item["status"], item["host_id"]) == ("mentor", "requested", MENTOR)

    def move(action: str, who: dict) -> httpx.Response:
        path = f"/v1/plans/rollout-1/{LEARNER}/items/{action}"
        return client.post(path, json={"item_id": "kpi-reading@3"}, headers=who)

    assert (await move("start", bearer(LEARNER))).status_code == 409  # not accepted yet
    assert (await move("accept", bearer(LEARNER))).status_code == 403  # not the mentor
    declined = await move("decline", bearer(MENTOR))
    assert declined.status_code == 200, declined.text
    [replanned] = declined.json()["items"]  # the other mentor takes the item over
    assert (replanned["host_id"], replanned["status"]) == (OTHER_MENTOR, "requested")
    mentor = bearer(OTHER_MENTOR)
    for action, who in [
        ("accept", mentor),
        ("start", bearer(LEARNER)),
        ("complete", bearer(LEARNER)),
        ("confirm", mentor),
    ]:
        response = await move(action, who)
        assert response.status_code == 200, (action, response.text)
    assert (await move("confirm", mentor)).status_code == 409  # confirmed already

    evidence = await read_until(
        bootstrap, namespace.topic(topics.COMPETENCE_EVIDENCE), lambda rs: len(rs) >= 2
    )
    assert sorted(json.loads(r.value)["source"] for r in evidence) == [
        "learning_completed",
        "mentor_confirmed",
    ]
    profiles = await read_until(
        bootstrap,
        namespace.topic(topics.COMPETENCE_PROFILE),
        lambda rs: any(
            json.loads(r.value)["employee_id"] == LEARNER and not json.loads(r.value)["gaps"]
            for r in rs
        ),
    )
    newest = max(
        (json.loads(r.value) for r in profiles if json.loads(r.value)["employee_id"] == LEARNER),
        key=lambda p: p["profile_version"],
    )
    await wait_group_caught_up(
        bootstrap,
        namespace.group("training_match", topics.COMPETENCE_PROFILE),
        namespace.topic(topics.COMPETENCE_PROFILE),
    )
    final = (await client.get(f"/v1/plans/rollout-1/{LEARNER}", headers=bearer(LEARNER))).json()
    assert final["profile_version"] >= newest["profile_version"]
    [kept] = final["items"]  # the gap is closed; the confirmed item stays in the plan
    assert (kept["status"], kept["host_id"]) == ("confirmed", OTHER_MENTOR)
    assert final["totals"]["in_house_share"] == 1.0
    first = await client.get(f"/v1/plans/rollout-1/{LEARNER}?version=1", headers=HR)
    assert first.json()["items"][0]["host_id"] == MENTOR  # old versions stay readable
    assert (await client.get(f"/v1/plans/rollout-1/{LEARNER}", headers=mentor)).status_code == 403
