"""Profiling's privacy controls on real Kafka and MongoDB: erasure on request, the works
agreement's k, the access log and retention of closed rollouts' data."""

import json
from datetime import UTC, date, datetime, timedelta

import bson
import httpx
import pytest

from gegenstrom_contracts import topics
from gegenstrom_contracts.envelope import Envelope
from gegenstrom_contracts.org import EmployeeAssignmentChanged, EmploymentStatus
from gegenstrom_contracts.privacy import (
    EmployeeErased,
    RetentionPeriods,
    WorksAgreementChanged,
    WorksAgreementTerms,
)
from gegenstrom_contracts.profiling import CompetenceEvidenceRecorded, EvidenceSource
from gegenstrom_contracts.rollouts import RolloutPublished, Wave
from gegenstrom_runtime.auth import Role
from gegenstrom_runtime.privacy import WorksAgreement
from profiling import handlers
from profiling.main import create_app
from profiling.retention import enforce_retention
from profiling.settings import ProfilingSettings
from support.apps import infra_settings, serving
from support.factories import input_event
from support.kafka_io import produce_envelopes, read_all, read_until, wait_group_caught_up
from support.tokens import bearer
from support.waiting import outbox_drained

ERASED, KEPT = "emp-a0", "emp-a1"


class MovableClock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def rollout(rollout_id: str = "rollout-1", ends_on: date | None = None) -> Envelope:
    wave = Wave(site_id="hamburg", starts_on=date(2027, 1, 4), ends_on=ends_on)
    event = RolloutPublished(
        rollout_id=rollout_id,
        rollout_version=1,
        title="Digitale Disposition",
        site_ids=["hamburg"],
        waves=[wave],
    )
    return Envelope(event, "/tests")


def assignment(employee_id: str, manager_id: str | None = None) -> Envelope:
    event = EmployeeAssignmentChanged(
        employee_id=employee_id,
        status=EmploymentStatus.ACTIVE,
        site_id="hamburg",
        department_id="ops",
        role_id="dispatcher",
        manager_id=manager_id,
    )
    return Envelope(event, "/tests")


def evidence(employee_id: str) -> Envelope:
    event = CompetenceEvidenceRecorded(
        evidence_id=f"rollout-1:{employee_id}:kpi-reading@3:mentor_confirmed",
        employee_id=employee_id,
        competence_id="kpi-reading",
        level=3,
        source=EvidenceSource.MENTOR_CONFIRMED,
        observed_at=datetime(2027, 1, 20, tzinfo=UTC),
        rollout_id="rollout-1",
        confirmed_by="emp-m9",
    )
    return Envelope(event, "/tests")


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock(datetime(2027, 2, 1, 8, tzinfo=UTC))


@pytest.fixture
async def profiling(namespace, clock):
    settings = ProfilingSettings(**infra_settings(namespace, "profiling"))
    app = create_app(settings, clock=clock)
    async with serving(app) as infra:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://p") as client:
            yield client, infra


async def publish(namespace, infra, envelopes: list[Envelope]) -> None:
    """Publish and wait until profiling has handled them and published what they caused."""
    bootstrap = namespace.servers.kafka_bootstrap
    await produce_envelopes(bootstrap, namespace.topic_prefix, envelopes)
    for topic in {e.data.topic for e in envelopes}:
        group = namespace.group("profiling", topic)
        await wait_group_caught_up(bootstrap, group, namespace.topic(topic))
    await outbox_drained(infra.db)


async def records(namespace, topic) -> list[dict]:
    """The topic's records as JSON, in a stable order (partitions interleave at random)."""
    found = await read_all(namespace.servers.kafka_bootstrap, namespace.topic(topic))
    return [json.loads(r.value) for r in sorted(found, key=lambda r: (r.partition, r.offset))]


async def holding(db, needle: str) -> list[tuple[str, object]]:
    """Every document, in every collection, whose BSON holds ``needle``."""
    found = []
    for name in await db.list_collection_names():
        async for doc in db[name].find({}):
            if needle.encode() in bson.encode(doc):
                found.append((name, doc["_id"]))
    return found


async def test_erasure_removes_the_employee_and_keeps_them_out(profiling, namespace):
    client, infra = profiling
    inputs = [input_event(e) for e in (ERASED, KEPT)]
    setup = [rollout(), *inputs, assignment(ERASED), assignment(KEPT, manager_id=ERASED)]
    await publish(namespace, infra, setup)
    await publish(namespace, infra, [evidence(ERASED)])
    assert await holding(infra.db, ERASED)
    kept_before = await infra.db["profiles"].find_one({"_id": f"rollout-1:{KEPT}"})
    published_before = await records(namespace, topics.COMPETENCE_PROFILE)

    erasure = Envelope(EmployeeErased(employee_id=ERASED), "/gegenstrom/intake")
    await publish(namespace, infra, [erasure])
    confirmations = await read_until(
        namespace.servers.kafka_bootstrap,
        namespace.topic(topics.ERASURE_CONFIRMATION),
        lambda rs: len(rs) >= 1,
    )
    assert json.loads(confirmations[0].value) == {"employee_id": ERASED, "service": "profiling"}
    assert await holding(infra.db, ERASED) == []
    kept_after = await infra.db["profiles"].find_one({"_id": f"rollout-1:{KEPT}"})
    assert kept_after == kept_before

    late = input_event(ERASED, version=2)
    await publish(namespace, infra, [late, erasure])  # a late input, a redelivered erasure
    assert await holding(infra.db, ERASED) == []
    assert await records(namespace, topics.COMPETENCE_PROFILE) == published_before
    assert len(await records(namespace, topics.ERASURE_CONFIRMATION)) == 1
    mine = await client.get(f"/v1/profiles/rollout-1/{ERASED}", headers=bearer(ERASED))
    assert mine.status_code == 404

    # handled as if it passed the consumer's check just before the erasure committed
    await handlers.on_inputs(infra, [input_event(ERASED, version=3)])
    await handlers.on_assignments(infra, [assignment(ERASED)])
    assert await holding(infra.db, ERASED) == []


async def test_reads_of_others_profiles_are_logged_and_k_follows_the_agreement(
    profiling, namespace
):
    client, infra = profiling
    employees = [f"emp-a{i}" for i in range(3)]
    released = {"released_to_manager": ["profile"]}
    await publish(namespace, infra, [rollout(), *(input_event(e, **released) for e in employees)])
    manager = bearer("mgr-1", Role.MANAGER, ("hamburg",))

    assert (await client.get("/v1/profiles/rollout-1/emp-a1", headers=bearer("emp-a1"))).is_success
    assert (await client.get("/v1/profiles/rollout-1/emp-a0", headers=manager)).is_success
    await outbox_drained(infra.db)
    [access] = await records(namespace, topics.DATA_ACCESS)
    assert (access["employee_ids"], access["reader_id"]) == (["emp-a0"], "mgr-1")
    assert (access["reader_role"], access["data"]) == ("manager", "competence_profile")
    assert access["service"] == "profiling"

    council = bearer("wc-1", Role.WORKS_COUNCIL)
    before = (await client.get("/v1/aggregates/rollout-1", headers=council)).json()
    assert before["k"] == 5 and all(c.get("suppressed") for c in before["cells"])
    agreement = WorksAgreementChanged(
        agreement_version=2, terms=WorksAgreementTerms(k=3), in_force_from=datetime.now(UTC)
    )
    await publish(namespace, infra, [Envelope(agreement, "/gegenstrom/intake")])
    after = (await client.get("/v1/aggregates/rollout-1", headers=council)).json()
    assert after["k"] == 3 and after["cells"]
    assert not any(c.get("suppressed") for c in after["cells"])
    below = await client.get("/v1/aggregates/rollout-1?k=2", headers=council)
    assert below.status_code == 422


async def test_retention_deletes_exactly_the_expired_rollouts_data(profiling, namespace, clock):
    _, infra = profiling
    old, running = rollout("rollout-old", ends_on=date(2027, 1, 29)), rollout("rollout-new")
    inputs = [
        input_event(e, rollout_id=r) for e in (ERASED, KEPT) for r in ("rollout-old", "rollout-new")
    ]
    # rollouts first: an input handled before its rollout makes one more profile version
    await publish(namespace, infra, [old, running])
    await publish(namespace, infra, inputs)
    agreement = WorksAgreement(infra.db, 5)

    async def counts(rollout_id: str) -> tuple[int, int, int]:
        prefix = {"_id": {"$regex": f"^{rollout_id}:"}}
        return (
            await infra.db["inputs"].count_documents({"rollout_id": rollout_id}),
            await infra.db["profiles"].count_documents(prefix),
            await infra.db["profiles_versions"].count_documents(prefix),
        )

    assert await enforce_retention(infra, agreement, clock) == 0
    clock.now = datetime(2027, 1, 29, tzinfo=UTC) + timedelta(days=180)
    assert await enforce_retention(infra, agreement, clock) == 0  # not longer than 180 days
    shorter = WorksAgreementTerms(retention=RetentionPeriods(closed_rollout_data_days=30))
    changed = WorksAgreementChanged(
        agreement_version=1, terms=shorter, in_force_from=datetime.now(UTC)
    )
    await publish(namespace, infra, [Envelope(changed, "/gegenstrom/intake")])
    clock.now = datetime(2027, 3, 1, tzinfo=UTC)
    assert await enforce_retention(infra, agreement, clock) == 1
    assert await counts("rollout-old") == (0, 0, 0)
    assert await counts("rollout-new") == (2, 2, 2)
