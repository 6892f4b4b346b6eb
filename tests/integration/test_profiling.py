"""Profiling on real Kafka and MongoDB: targets from confirmed requirement profiles,
re-profiling of exactly the employees a change concerns, evidence, and the read API."""

import json
from collections import Counter
from datetime import UTC, date, datetime

import httpx
import pytest

from gegenstrom_contracts import topics
from gegenstrom_contracts.envelope import Envelope
from gegenstrom_contracts.org import EmployeeAssignmentChanged, EmploymentStatus
from gegenstrom_contracts.profiling import CompetenceEvidenceRecorded, EvidenceSource
from gegenstrom_contracts.rollouts import (
    ProfileItem,
    Requirement,
    RequirementProfileConfirmed,
    RolloutPublished,
    Wave,
)
from gegenstrom_runtime.auth import Role
from gegenstrom_runtime.unit_of_work import AlreadyProcessed
from profiling import handlers
from profiling.main import create_app
from profiling.settings import ProfilingSettings
from support.apps import infra_settings, serving
from support.factories import input_event
from support.kafka_io import produce_envelopes, read_all, wait_group_caught_up
from support.tokens import bearer
from support.waiting import outbox_drained

KPI = [
    ("sap-co-pa", "tool", 3, True),
    ("excel-functions", "tool", 3, True),
    ("process-exchange", "process", 2, False),
    ("conversation-conflict", "social", 2, False),
    ("project-basics", "method", 2, False),
]
DISPATCHERS = [f"emp-d{i}" for i in range(3)]
DRIVERS = [f"emp-r{i}" for i in range(3)]
CONSUMED = (
    topics.EMPLOYEE_INPUT,
    topics.ROLLOUT,
    topics.REQUIREMENT_PROFILE,
    topics.COMPETENCE_EVIDENCE,
)


def rollout() -> Envelope:
    return Envelope(
        RolloutPublished(
            rollout_id="rollout-1",
            rollout_version=1,
            title="Digitale Disposition",
            site_ids=["hamburg", "gdansk"],
            role_ids=["dispatcher", "driver", "controller"],
            waves=[Wave(site_id="hamburg", starts_on=date(2027, 3, 1))],
            requirements=[
                Requirement(
                    requirement_id="kpi", title="Kennzahlen", role_ids=["dispatcher", "controller"]
                ),
                Requirement(requirement_id="mobile", title="Tablets", role_ids=["driver"]),
            ],
        ),
        "/tests",
    )


def kpi_profile(version: int, sap_level: int = 3) -> Envelope:
    items = [
        ProfileItem(
            competence_id=c,
            category=cat,
            target_level=sap_level if c == "sap-co-pa" else lvl,
            essential=e,
        )
        for c, cat, lvl, e in KPI
    ]
    return Envelope(
        RequirementProfileConfirmed(
            rollout_id="rollout-1",
            requirement_id="kpi",
            profile_version=version,
            role_ids=["dispatcher", "controller"],
            process_ids=[],
            items=items,
            proposals_considered=3,
        ),
        "/tests",
    )


def inputs() -> list[Envelope]:
    nothing = {"self_ratings": [], "learning_wishes": [], "mentoring_offer": None}
    return [input_event(e, rollout_id="rollout-1", **nothing) for e in DISPATCHERS] + [
        input_event(e, rollout_id="rollout-1", role_id="driver", **nothing) for e in DRIVERS
    ]


@pytest.fixture
async def profiling(namespace):
    app = create_app(ProfilingSettings(**infra_settings(namespace, "profiling")))
    async with serving(app) as infra:
        yield app, infra


async def settle(namespace, infra) -> None:
    bootstrap = namespace.servers.kafka_bootstrap
    for topic in CONSUMED:
        await wait_group_caught_up(
            bootstrap, namespace.group("profiling", topic), namespace.topic(topic)
        )
    await outbox_drained(infra.db)


async def published(namespace) -> list[dict]:
    records = await read_all(
        namespace.servers.kafka_bootstrap, namespace.topic(topics.COMPETENCE_PROFILE)
    )
    return [json.loads(r.value) for r in records]


async def test_a_changed_requirement_profile_reprofiles_exactly_the_concerned(profiling, namespace):
    _, infra = profiling
    prefix = namespace.topic_prefix
    await produce_envelopes(
        namespace.servers.kafka_bootstrap, prefix, [rollout(), kpi_profile(1), *inputs()]
    )
    await settle(namespace, infra)
    before = Counter(p["employee_id"] for p in await published(namespace))
    assert set(before) == set(DISPATCHERS + DRIVERS)

    await produce_envelopes(
        namespace.servers.kafka_bootstrap,
        prefix,
        [kpi_profile(2, sap_level=4), kpi_profile(2, sap_level=4)],
    )
    await settle(namespace, infra)
    after = Counter(p["employee_id"] for p in await published(namespace))
    assert {e: after[e] - before[e] for e in after} == {
        **dict.fromkeys(DISPATCHERS, 1),
        **dict.fromkeys(DRIVERS, 0),
    }

    latest = {p["employee_id"]: p for p in await published(namespace)}
    gaps = latest["emp-d0"]["gaps"]
    assert [(g["competence_id"], g["target_level"], g["priority"]) for g in gaps] == [
        ("sap-co-pa", 4, 1),
        ("excel-functions", 3, 2),
        ("conversation-conflict", 2, 3),
        ("process-exchange", 2, 4),
        ("project-basics", 2, 5),
    ]
    assert {g["due_on"] for g in gaps} == {"2027-03-01"}
    assert latest["emp-r0"]["gaps"] == []


async def test_evidence_reprofiles_only_its_employee_and_outranks_the_self_rating(
    profiling, namespace
):
    _, infra = profiling
    prefix = namespace.topic_prefix
    await produce_envelopes(
        namespace.servers.kafka_bootstrap, prefix, [rollout(), kpi_profile(1), *inputs()]
    )
    await settle(namespace, infra)
    before = Counter(p["employee_id"] for p in await published(namespace))
    evidence = Envelope(
        CompetenceEvidenceRecorded(
            evidence_id="ev-1",
            employee_id="emp-d1",
            competence_id="sap-co-pa",
            level=3,
            source=EvidenceSource.MENTOR_CONFIRMED,
            observed_at=datetime.now(UTC),
            rollout_id="rollout-1",
        ),
        "/tests",
    )
    await produce_envelopes(namespace.servers.kafka_bootstrap, prefix, [evidence, evidence])
    await settle(namespace, infra)
    after = await published(namespace)
    counts = Counter(p["employee_id"] for p in after)
    assert {e: counts[e] - before[e] for e in counts if counts[e] != before[e]} == {"emp-d1": 1}
    latest = max(
        (p for p in after if p["employee_id"] == "emp-d1"), key=lambda p: p["profile_version"]
    )
    assert "sap-co-pa" not in [g["competence_id"] for g in latest["gaps"]]
    assert await infra.db["evidence"].count_documents({}) == 1


async def test_read_api_own_profile_released_profiles_and_aggregates(profiling, namespace):
    app, infra = profiling
    employees = [f"emp-a{i}" for i in range(13)]  # ops 5, finance 2, billing 6
    envelopes = [rollout(), kpi_profile(1)] + [
        input_event(
            e,
            rollout_id="rollout-1",
            released_to_manager=["profile"] if e == "emp-a0" else [],
            department_id="ops" if i < 5 else "finance" if i < 7 else "billing",
        )
        for i, e in enumerate(employees)
    ]
    envelopes += [
        Envelope(
            EmployeeAssignmentChanged(
                employee_id=e,
                status=EmploymentStatus.ACTIVE,
                site_id="hamburg",
                department_id="billing",
                role_id="dispatcher",
            ),
            "/tests",
        )
        for e in employees[7:]
    ]
    await produce_envelopes(namespace.servers.kafka_bootstrap, namespace.topic_prefix, envelopes)
    await settle(namespace, infra)
    await wait_group_caught_up(
        namespace.servers.kafka_bootstrap,
        namespace.group("profiling", topics.EMPLOYEE),
        namespace.topic(topics.EMPLOYEE),
    )
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://p"
    ) as client:
        own = await client.get("/v1/profiles/rollout-1/emp-a1", headers=bearer("emp-a1"))
        assert own.status_code == 200 and own.json()["gaps"]
        manager = bearer("mgr", Role.MANAGER, ("hamburg",))
        assert (
            await client.get("/v1/profiles/rollout-1/emp-a0", headers=manager)
        ).status_code == 200
        hidden = await client.get("/v1/profiles/rollout-1/emp-a1", headers=manager)
        assert hidden.status_code == 403 and "not released" in hidden.text
        assert (
            await client.get("/v1/profiles/rollout-1/emp-a1", headers=bearer("emp-a2"))
        ).status_code == 403

        council = (
            await client.get("/v1/aggregates/rollout-1", headers=bearer("wc", Role.WORKS_COUNCIL))
        ).json()
        cells = {tuple(c["key"]): c for c in council["cells"]}
        billing = cells[("hamburg", "billing", "sap-co-pa")]
        assert (billing["employees"], billing["with_gap"]) == (6, 6)
        assert billing["employees_in_scope"] == 6
        # finance (2) is under k; ops (5) would reveal it from the Hamburg total
        assert cells[("hamburg", "finance", "sap-co-pa")].get("suppressed") is True
        assert cells[("hamburg", "ops", "sap-co-pa")].get("suppressed") is True
        site_totals = {tuple(c["key"]): c for c in council["site_totals"]}
        assert site_totals[("hamburg", "sap-co-pa")]["employees"] == 13
        gdansk_manager = bearer("mgr-g", Role.MANAGER, ("gdansk",))
        theirs = (await client.get("/v1/aggregates/rollout-1", headers=gdansk_manager)).json()
        assert theirs["cells"] == [] and theirs["site_totals"] == []  # nobody in Gdańsk here
        employee_view = await client.get("/v1/aggregates/rollout-1", headers=bearer("emp-a1"))
        assert employee_view.status_code == 403


async def test_assignments_are_kept_a_batch_at_once_the_last_per_employee(profiling):
    _, infra = profiling

    def assignment(employee_id: str, department_id: str) -> Envelope:
        event = EmployeeAssignmentChanged(
            employee_id=employee_id,
            status=EmploymentStatus.ACTIVE,
            site_id="hamburg",
            department_id=department_id,
            role_id="dispatcher",
        )
        return Envelope(event, "/tests")

    async def departments() -> dict[str, str]:
        return {d["_id"]: d["department_id"] async for d in infra.db["employees"].find()}

    async def erase(tx) -> None:
        await infra.guard.close(tx.session, "emp-gone")

    await infra.uow.commit(erase)
    first = assignment("emp-b0", "ops")
    batch = [first, assignment("emp-b1", "ops"), assignment("emp-gone", "ops")]
    batch += [assignment("emp-b0", "billing"), assignment("emp-b0", "finance")]
    await handlers.on_assignments(infra, batch)
    assert await departments() == {"emp-b0": "finance", "emp-b1": "ops"}

    with pytest.raises(AlreadyProcessed):
        await handlers.on_assignments(infra, [first])  # a redelivery changes nothing
    await handlers.on_assignments(infra, [first, assignment("emp-b1", "billing")])
    assert await departments() == {"emp-b0": "finance", "emp-b1": "billing"}
