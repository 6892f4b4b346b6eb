"""Training-match on real Kafka and MongoDB: offers over HTTP, profiles to plans with
mentors, cohorts and external courses, and the read API for mentors, trainers and HR."""

import json
from collections import Counter
from datetime import date

import httpx
import pytest

from gegenstrom_contracts import topics
from gegenstrom_contracts.envelope import Envelope
from gegenstrom_contracts.profiling import CompetenceGap, CompetenceProfileUpdated, Strength
from gegenstrom_runtime.auth import Role
from support.apps import infra_settings, serving
from support.kafka_io import produce_envelopes, read_all, wait_group_caught_up
from support.tokens import bearer
from support.waiting import outbox_drained
from training_match.main import create_app
from training_match.settings import TrainingMatchSettings

HR = bearer("hr-1", Role.HR)
LEARNERS = [f"emp-l{i}" for i in range(4)]
MENTOR, TRAINER = "emp-m0", "emp-t0"
OFFERS = {
    "sheets-workshop": {
        "kind": "internal_workshop",
        "title": "Tabellen-Workshop",
        "competence_id": "spreadsheets",
        "reaches_level": 3,
        "hours": 8,
        "site_ids": ["hamburg"],
        "min_group": 2,
        "max_group": 3,
        "runs": 1,
        "trainer_id": TRAINER,
        "starts_on": "2027-02-01",
    },
    "kpi-course": {
        "kind": "external_course",
        "title": "Kennzahlen-Seminar",
        "competence_id": "kpi-reading",
        "reaches_level": 3,
        "hours": 16,
        "cost_eur": 900,
        "remote": True,
        "provider": "IHK",
    },
    "kpi-reading-intro": {
        "kind": "self_study",
        "title": "Kennzahlen lesen (ESCO)",
        "competence_id": "kpi-reading",
        "reaches_level": 1,
        "hours": 2,
        "remote": True,
    },
}


def profile(employee_id: str, version: int = 1, **changes) -> Envelope:
    gaps = [
        CompetenceGap(
            competence_id="kpi-reading",
            current_level=0,
            target_level=3,
            size=3,
            priority=1,
            due_on=date(2027, 3, 1),
        ),
        CompetenceGap(
            competence_id="spreadsheets",
            current_level=1,
            target_level=3,
            size=2,
            priority=2,
            due_on=date(2027, 3, 1),
        ),
    ]
    fields = dict(
        employee_id=employee_id,
        rollout_id="rollout-1",
        profile_version=version,
        input_version=version,
        site_id="hamburg",
        process_id="booking",
        gaps=gaps,
    )
    return Envelope(CompetenceProfileUpdated(**fields | changes), "/tests")


def mentor_profile() -> Envelope:
    strength = Strength(competence_id="kpi-reading", level=4, mentoring_capacity=1)
    return profile(MENTOR, gaps=[], strengths=[strength])


@pytest.fixture
async def training_match(namespace):
    settings = TrainingMatchSettings(
        **infra_settings(namespace, "training_match"), replan_debounce_s=0
    )
    app = create_app(settings)
    async with serving(app) as infra:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://tm") as client:
            for offer_id, body in OFFERS.items():
                response = await client.put(f"/v1/offers/{offer_id}", json=body, headers=HR)
                assert response.status_code == 200, response.text
            yield client, infra


async def settle(namespace, infra) -> None:
    await wait_group_caught_up(
        namespace.servers.kafka_bootstrap,
        namespace.group("training_match", topics.COMPETENCE_PROFILE),
        namespace.topic(topics.COMPETENCE_PROFILE),
    )
    await outbox_drained(infra.db)


async def events(namespace, topic) -> list[tuple[str, dict]]:
    records = await read_all(namespace.servers.kafka_bootstrap, namespace.topic(topic))
    return [(dict(r.headers)["ce_type"].decode(), json.loads(r.value)) for r in records]


def latest_plans(plan_events: list[tuple[str, dict]]) -> dict[str, dict]:
    latest: dict[str, dict] = {}
    for _, plan in plan_events:
        if (
            plan["plan_version"]
            > latest.get(plan["employee_id"], {"plan_version": 0})["plan_version"]
        ):
            latest[plan["employee_id"]] = plan
    return latest


async def test_profiles_become_plans_in_house_first_within_capacity(training_match, namespace):
    client, infra = training_match
    bootstrap, prefix = namespace.servers.kafka_bootstrap, namespace.topic_prefix
    await produce_envelopes(bootstrap, prefix, [mentor_profile()])
    await settle(namespace, infra)
    await produce_envelopes(bootstrap, prefix, [profile(e) for e in LEARNERS])
    await settle(namespace, infra)

    plans = latest_plans(await events(namespace, topics.LEARNING_PLAN))
    assert set(plans) == {MENTOR, *LEARNERS}
    kinds = {
        e: {i["competence_id"]: i["kind"] for i in plans[e]["items"] if i["closes_gap"]}
        for e in LEARNERS
    }
    kpi = Counter(k["kpi-reading"] for k in kinds.values())
    sheets = Counter(k["spreadsheets"] for k in kinds.values())
    assert kpi == {"mentor": 1, "external_course": 3}  # the mentor takes one mentee
    assert sheets == {"internal_workshop": 3, "unmatched": 1}  # one run of at most three
    for plan in plans.values():
        external = sum(i["cost_eur"] for i in plan["items"] if i["kind"] == "external_course")
        assert plan["totals"]["external_cost_eur"] == external
        avoided = 900 - external if plan["items"] else 0  # the mentor has no gaps
        assert plan["totals"]["external_cost_avoided_eur"] == avoided
    mentee = next(e for e, k in kinds.items() if k["kpi-reading"] == "mentor")
    preparation = [i for i in plans[mentee]["items"] if not i["closes_gap"]]
    assert [(i["offer_id"], i["kind"], i["offer_title"]) for i in preparation] == [
        ("kpi-reading-intro", "self_study", "Kennzahlen lesen (ESCO)")
    ]

    item_events = await events(namespace, topics.LEARNING_ITEM)
    requests = [e for t, e in item_events if t.endswith("mentor-requested.v1")]
    assert [(r["mentor_id"], r["mentee_id"]) for r in requests] == [(MENTOR, mentee)]
    cohorts = [e for _, e in await events(namespace, topics.LEARNING_GROUP)]
    assert len(cohorts) == 1 and cohorts[0]["host_id"] == TRAINER
    assert len(cohorts[0]["member_ids"]) == 2  # formed when the second learner joined

    mine = await client.get("/v1/mentoring/requests", headers=bearer(MENTOR))
    assert [(r["employee_id"], r["status"]) for r in mine.json()] == [(mentee, "requested")]
    trainer_view = (await client.get("/v1/cohorts", headers=bearer(TRAINER))).json()
    assert [(c["offer_id"], c["size"], c["formed"]) for c in trainer_view] == [
        ("sheets-workshop", 3, True)
    ]
    assert (await client.get("/v1/cohorts", headers=bearer(MENTOR))).json() == []
    waiting = (await client.get("/v1/approvals", headers=HR)).json()
    assert sorted(w["employee_id"] for w in waiting) == sorted(
        e for e, k in kinds.items() if k["kpi-reading"] == "external_course"
    )
    assert (await client.get("/v1/approvals", headers=bearer(MENTOR))).status_code == 403


async def test_a_redelivered_or_older_profile_changes_no_plan(training_match, namespace):
    _, infra = training_match
    bootstrap, prefix = namespace.servers.kafka_bootstrap, namespace.topic_prefix
    newer, older = profile("emp-l0", version=2), profile("emp-l0", version=1, gaps=[])
    await produce_envelopes(bootstrap, prefix, [newer, newer, older])
    await settle(namespace, infra)
    plans = [e for _, e in await events(namespace, topics.LEARNING_PLAN)]
    assert [(p["plan_version"], p["profile_version"]) for p in plans] == [(1, 2)]
    assert await infra.db["learning_plans_versions"].count_documents({}) == 1


async def test_rollout_wide_replan_keeps_accepted_items(training_match, namespace):
    client, infra = training_match
    bootstrap, prefix = namespace.servers.kafka_bootstrap, namespace.topic_prefix
    await produce_envelopes(bootstrap, prefix, [mentor_profile()])
    await settle(namespace, infra)
    await produce_envelopes(bootstrap, prefix, [profile(e) for e in LEARNERS])
    await settle(namespace, infra)
    before = latest_plans(await events(namespace, topics.LEARNING_PLAN))
    mentee = next(e for e in LEARNERS if any(i["kind"] == "mentor" for i in before[e]["items"]))
    accepted = await client.post(
        f"/v1/plans/rollout-1/{mentee}/items/accept",
        json={"item_id": "kpi-reading@3"},
        headers=bearer(MENTOR),
    )
    assert accepted.status_code == 200, accepted.text

    replanned = await client.post("/v1/rollouts/rollout-1/replan", headers=HR)
    assert replanned.status_code == 200
    await outbox_drained(infra.db)
    after = latest_plans(await events(namespace, topics.LEARNING_PLAN))
    mentor_item = next(i for i in after[mentee]["items"] if i["item_id"] == "kpi-reading@3")
    assert (mentor_item["kind"], mentor_item["status"]) == ("mentor", "accepted")
    group = await infra.db["groups"].find_one({"_id": mentor_item["group_id"]})
    assert len(group["members"]) == 1  # capacity 1: still only the accepted mentee
    workshop = await infra.db["groups"].find({"offer_id": "sheets-workshop"}).to_list(None)
    assert sum(len(g["members"]) for g in workshop) == 3

    stats = (await client.get("/v1/rollouts/rollout-1/plan-stats", headers=HR)).json()
    hamburg = stats["sites"]["hamburg"]  # five plans: exactly k, so shown
    assert (hamburg["employees"], hamburg["gaps"], hamburg["items_mentor"]) == (5, 8, 1)
    assert hamburg["in_house_share"] == pytest.approx(4 / 8)
    assert stats["total"]["employees"] == 5


async def test_hr_approves_or_rejects_external_courses_and_a_rejection_replans(
    training_match, namespace
):
    client, infra = training_match
    bootstrap, prefix = namespace.servers.kafka_bootstrap, namespace.topic_prefix
    await produce_envelopes(bootstrap, prefix, [profile("emp-l0"), profile("emp-l1")])
    await settle(namespace, infra)

    async def move(employee: str, action: str, who: dict) -> httpx.Response:
        path = f"/v1/plans/rollout-1/{employee}/items/{action}"
        return await client.post(path, json={"item_id": "kpi-reading@3"}, headers=who)

    assert (await move("emp-l0", "approve", bearer("emp-l0"))).status_code == 403
    approved = await move("emp-l0", "approve", HR)
    assert approved.status_code == 200, approved.text
    course = next(i for i in approved.json()["items"] if i["item_id"] == "kpi-reading@3")
    assert (course["kind"], course["status"]) == ("external_course", "accepted")
    rejected = await move("emp-l1", "reject", HR)
    assert rejected.status_code == 200, rejected.text
    kpi = next(i for i in rejected.json()["items"] if i["item_id"] == "kpi-reading@3")
    assert kpi["kind"] == "unmatched"  # the only course is excluded for this employee now
    assert rejected.json()["totals"]["external_cost_eur"] == 0
    assert (await move("emp-l1", "approve", HR)).status_code == 409
    await outbox_drained(infra.db)
    statuses = [
        (e["employee_id"], e["status"])
        for t, e in await events(namespace, topics.LEARNING_ITEM)
        if t.endswith("learning-item-status-changed.v1")
    ]
    assert sorted(statuses) == [("emp-l0", "accepted"), ("emp-l1", "rejected")]
    assert [w["employee_id"] for w in (await client.get("/v1/approvals", headers=HR)).json()] == []


async def test_bad_offers_are_refused_with_reasons_and_nothing_is_written(training_match):
    client, infra = training_match
    no_trainer = OFFERS["sheets-workshop"] | {"trainer_id": None}
    response = await client.put("/v1/offers/no-trainer", json=no_trainer, headers=HR)
    assert response.status_code == 422 and "trainer_id" in response.text
    too_small = OFFERS["sheets-workshop"] | {"min_group": 5, "max_group": 3}
    response = await client.put("/v1/offers/too-small", json=too_small, headers=HR)
    assert response.status_code == 422 and "below min_group" in response.text
    employee = await client.put("/v1/offers/x", json=OFFERS["kpi-course"], headers=bearer("e1"))
    assert employee.status_code == 403

    csv = (
        "offer_id,kind,title,competence_id,reaches_level,hours,cost_eur,remote,provider\n"
        "new-course,external_course,Neu,kpi-reading,3,8,500,yes,IHK\n"
        "broken,external_course,Kaputt,kpi-reading,three,8,500,yes,IHK\n"
    )
    files = {"offers": ("offers.csv", csv.encode(), "text/csv")}
    report = await client.post("/v1/offers/import", files=files, headers=HR)
    assert report.status_code == 422
    [problem] = report.json()["problems"]
    assert (problem["line"], problem["column"]) == (3, "reaches_level")
    assert await infra.db["offers"].count_documents({"_id": "new-course"}) == 0
    dry = await client.post(
        "/v1/offers/import?dry_run=true",
        files={"offers": ("offers.csv", csv.encode().rsplit(b"broken", 1)[0], "text/csv")},
        headers=HR,
    )
    assert dry.status_code == 200 and dry.json()["applied"] is False
    assert await infra.db["offers"].count_documents({"_id": "new-course"}) == 0
    listed = (await client.get("/v1/offers?kind=external_course", headers=bearer("e1"))).json()
    assert [o["offer_id"] for o in listed] == ["kpi-course"]
