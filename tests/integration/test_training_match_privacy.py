"""Training-match's privacy controls on real Kafka and MongoDB: erasure of a mentee and of
their mentor, the works agreement's k, the access log and retention of closed rollouts."""

import json
from datetime import UTC, date, datetime

import bson
import httpx
import pytest

from gegenstrom_contracts import topics
from gegenstrom_contracts.envelope import Envelope
from gegenstrom_contracts.privacy import (
    EmployeeErased,
    WorksAgreementChanged,
    WorksAgreementTerms,
)
from gegenstrom_contracts.profiling import CompetenceGap, CompetenceProfileUpdated, Strength
from gegenstrom_contracts.rollouts import RolloutPublished, Wave
from gegenstrom_runtime.auth import Role
from gegenstrom_runtime.privacy import WorksAgreement
from gegenstrom_runtime.service import Infrastructure
from support.apps import infra_settings, serving
from support.kafka_io import end_offsets, produce_envelopes, read_all, wait_group_caught_up
from support.tokens import bearer
from support.waiting import outbox_drained, outbox_events
from training_match import handlers
from training_match.main import create_app
from training_match.privacy import on_erased
from training_match.retention import enforce_retention
from training_match.settings import TrainingMatchSettings

HR = bearer("hr-1", Role.HR)
MENTOR, TRAINER = "emp-m0", "emp-t0"
MENTEES = ["emp-l0", "emp-l1", "emp-l2"]
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
}
PLAN_TOPICS = (topics.LEARNING_PLAN, topics.LEARNING_ITEM, topics.LEARNING_GROUP)


class MovableClock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def profile(employee_id: str, rollout_id: str = "rollout-1", **changes) -> Envelope:
    gaps = [
        CompetenceGap(
            competence_id=c, current_level=0, target_level=3, size=3, priority=n, due_on=None
        )
        for n, c in enumerate(["kpi-reading", "spreadsheets"], start=1)
    ]
    fields = dict(
        employee_id=employee_id,
        rollout_id=rollout_id,
        profile_version=1,
        input_version=1,
        site_id="hamburg",
        process_id="booking",
        gaps=gaps,
    )
    return Envelope(CompetenceProfileUpdated(**fields | changes), "/tests")


def mentor_profile() -> Envelope:
    strength = Strength(competence_id="kpi-reading", level=4, mentoring_capacity=3)
    return profile(MENTOR, gaps=[], strengths=[strength])


def erased(employee_id: str) -> Envelope:
    return Envelope(EmployeeErased(employee_id=employee_id), "/gegenstrom/intake")


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock(datetime(2027, 2, 1, 8, tzinfo=UTC))


@pytest.fixture
async def training_match(namespace, clock):
    settings = TrainingMatchSettings(
        **infra_settings(namespace, "training_match"), replan_debounce_s=0
    )
    app = create_app(settings, clock=clock)
    async with serving(app) as infra:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://tm") as client:
            for offer_id, body in OFFERS.items():
                response = await client.put(f"/v1/offers/{offer_id}", json=body, headers=HR)
                assert response.status_code == 200, response.text
            yield client, infra


async def publish(namespace, infra, envelopes: list[Envelope]) -> None:
    """Publish and wait until training-match handled them and published what they caused."""
    bootstrap = namespace.servers.kafka_bootstrap
    await produce_envelopes(bootstrap, namespace.topic_prefix, envelopes)
    for topic in {e.data.topic for e in envelopes}:
        group = namespace.group("training_match", topic)
        await wait_group_caught_up(bootstrap, group, namespace.topic(topic))
    await outbox_drained(infra.db)


async def records(namespace, topic, since: dict[int, int] | None = None) -> list[dict]:
    """The topic's records (those after the offsets ``since``), as JSON."""
    found = await read_all(namespace.servers.kafka_bootstrap, namespace.topic(topic))
    since = since or {}
    return [json.loads(r.value) for r in found if r.offset >= since.get(r.partition, 0)]


async def offsets(namespace) -> dict:
    bootstrap = namespace.servers.kafka_bootstrap
    return {t: await end_offsets(bootstrap, namespace.topic(t)) for t in PLAN_TOPICS}


async def holding(db, needle: str) -> list[tuple[str, object]]:
    """Every document, in every collection, whose BSON holds ``needle``."""
    found = []
    for name in await db.list_collection_names():
        async for doc in db[name].find({}):
            if needle.encode() in bson.encode(doc):
                found.append((name, doc["_id"]))
    return found


def kinds(plan: dict) -> dict[str, str]:
    return {i["competence_id"]: i["kind"] for i in plan["content"]["items"] if i["closes_gap"]}


async def test_erasing_a_mentee_then_their_mentor(training_match, namespace):
    client, infra = training_match
    await publish(namespace, infra, [mentor_profile()])
    await publish(namespace, infra, [profile(e) for e in MENTEES])
    plans = infra.db["learning_plans"]
    for mentee in MENTEES:
        plan = await plans.find_one({"_id": f"rollout-1:{mentee}"})
        assert kinds(plan) == {"kpi-reading": "mentor", "spreadsheets": "internal_workshop"}
    cohort = await infra.db["groups"].find_one({"offer_id": "sheets-workshop"})
    assert len(cohort["members"]) == 3

    gone, *staying = MENTEES
    await publish(namespace, infra, [erased(gone)])
    assert await holding(infra.db, gone) == []
    cohort = await infra.db["groups"].find_one({"_id": cohort["_id"]})
    assert sorted(m["member"] for m in cohort["members"]) == [f"rollout-1:{e}" for e in staying]
    requests = (await client.get("/v1/mentoring/requests", headers=bearer(MENTOR))).json()
    assert sorted(r["employee_id"] for r in requests) == staying
    mentoring = await infra.db["groups"].find_one({"offer_id": {"$regex": "^mentor:"}})
    assert len(mentoring["members"]) == 2  # the mentor's capacity is free again

    before = {e: (await plans.find_one({"_id": f"rollout-1:{e}"}))["version"] for e in staying}
    since = await offsets(namespace)
    await publish(namespace, infra, [erased(MENTOR)])
    for mentee in staying:
        plan = await plans.find_one({"_id": f"rollout-1:{mentee}"})
        assert plan["version"] == before[mentee] + 1
        assert kinds(plan) == {
            "kpi-reading": "external_course",
            "spreadsheets": "internal_workshop",
        }
    assert await holding(infra.db, MENTOR) == []
    assert await holding(infra.db, gone) == []
    assert await infra.db["offers"].count_documents({"kind": "mentor"}) == 0
    new_plans = await records(namespace, topics.LEARNING_PLAN, since[topics.LEARNING_PLAN])
    assert sorted(p["employee_id"] for p in new_plans) == staying
    for topic in PLAN_TOPICS:
        for event in await records(namespace, topic, since[topic]):
            assert MENTOR not in json.dumps(event) and gone not in json.dumps(event)
    confirmations = await records(namespace, topics.ERASURE_CONFIRMATION)
    assert sorted(c["employee_id"] for c in confirmations) == sorted([gone, MENTOR])
    assert {c["service"] for c in confirmations} == {"training-match"}


async def test_a_profile_that_overtook_the_erasure_writes_nothing(training_match, namespace):
    """A profile the consumer let through just before the erasure committed, handled
    after it: the erasure guard stops it (concurrent, one of the two would retry)."""
    _, infra = training_match
    await publish(namespace, infra, [profile("emp-l0")])
    await publish(namespace, infra, [erased("emp-l0")])
    late = profile("emp-l0", profile_version=2, input_version=2)
    await handlers.on_profiles(infra, 8, [late])  # as if it passed the check just before
    assert await holding(infra.db, "emp-l0") == []
    await outbox_drained(infra.db)
    plans = await records(namespace, topics.LEARNING_PLAN)
    assert [p["plan_version"] for p in plans if p["employee_id"] == "emp-l0"] == [1]


async def test_reads_of_others_plans_are_logged_and_k_follows_the_agreement(
    training_match, namespace
):
    client, infra = training_match
    await publish(namespace, infra, [mentor_profile()])
    await publish(namespace, infra, [profile(e) for e in MENTEES])

    assert (await client.get("/v1/plans/rollout-1/emp-l0", headers=bearer("emp-l0"))).is_success
    assert (await client.get("/v1/plans/rollout-1/emp-l1", headers=HR)).is_success
    await outbox_drained(infra.db)
    [access] = await records(namespace, topics.DATA_ACCESS)
    assert (access["employee_ids"], access["reader_id"], access["reader_role"]) == (
        ["emp-l1"],
        "hr-1",
        "hr",
    )
    assert (access["data"], access["service"]) == ("learning_plan", "training-match")
    assert (await client.get("/v1/mentoring/requests", headers=bearer(MENTOR))).is_success
    await outbox_drained(infra.db)
    logged = await records(namespace, topics.DATA_ACCESS)
    assert [a["employee_ids"] for a in logged if a["reader_id"] == MENTOR] == [MENTEES]

    stats_url = "/v1/rollouts/rollout-1/plan-stats"
    before = (await client.get(stats_url, headers=HR)).json()
    assert before["k"] == 5 and before["sites"] == {"hamburg": None}
    agreement = WorksAgreementChanged(
        agreement_version=1, terms=WorksAgreementTerms(k=3), in_force_from=datetime.now(UTC)
    )
    await publish(namespace, infra, [Envelope(agreement, "/gegenstrom/intake")])
    after = (await client.get(stats_url, headers=HR)).json()
    assert after["k"] == 3 and after["sites"]["hamburg"]["employees"] == 4


async def test_retention_deletes_exactly_the_expired_rollouts_data(
    training_match, namespace, clock
):
    _, infra = training_match
    waves = {
        "rollout-old": [
            Wave(site_id="hamburg", starts_on=date(2026, 9, 1), ends_on=date(2027, 1, 29))
        ],
        "rollout-new": [Wave(site_id="hamburg", starts_on=date(2027, 3, 1))],
    }
    rollouts = [
        Envelope(
            RolloutPublished(
                rollout_id=r, rollout_version=1, title=r, site_ids=["hamburg"], waves=w
            ),
            "/tests",
        )
        for r, w in waves.items()
    ]
    learners = [profile(e, rollout_id=r) for r in waves for e in MENTEES[:2]]
    await publish(namespace, infra, rollouts)
    await publish(namespace, infra, learners)
    agreement = WorksAgreement(infra.db, 5)

    async def counts(rollout_id: str) -> tuple[int, int, int, int]:
        prefix = {"$regex": f"^{rollout_id}:"}
        return (
            await infra.db["learners"].count_documents({"rollout_id": rollout_id}),
            await infra.db["learning_plans"].count_documents({"_id": prefix}),
            await infra.db["learning_plans_versions"].count_documents({"_id": prefix}),
            await infra.db["groups"].count_documents({"members.member": prefix}),
        )

    kept = await counts("rollout-new")
    assert kept[:3] == (2, 2, 2) and kept[3] >= 1
    assert await enforce_retention(infra, agreement, clock) == 0
    clock.now = datetime(2027, 7, 29, tzinfo=UTC)  # 181 days after the last wave ended
    assert await enforce_retention(infra, agreement, clock) == 1
    assert await counts("rollout-old") == (0, 0, 0, 0)
    assert await counts("rollout-new") == kept


async def test_events_not_yet_published_that_name_the_erased_mentor_are_dropped(namespace, clock):
    """With no relay running, the plans' events wait in the outbox when the mentor goes."""
    settings = TrainingMatchSettings(**infra_settings(namespace, "training_match"))
    infra = Infrastructure.build(settings)
    try:
        for envelope in [mentor_profile(), profile("emp-l0")]:
            await handlers.on_profiles(infra, settings.mentoring_hours, [envelope])
        pending = await outbox_events(infra.db)
        assert len([e for e in pending if e["key"] == b"emp-l0"]) == 2  # plan, mentor request
        await on_erased(infra, clock, erased(MENTOR))
        events = await outbox_events(infra.db)
        left = [json.loads(e["value"]) for e in events]
        types = sorted(e["headers"]["ce_type"] for e in events)
        assert [t.rsplit(".", 2)[-2] for t in types] == [
            "erasure-confirmed",
            "learning-plan-updated",
        ]
        mentions = [e for e in left if MENTOR in json.dumps(e)]
        assert mentions == [{"employee_id": MENTOR, "service": "training-match"}]
    finally:
        await infra.mongo.close()
