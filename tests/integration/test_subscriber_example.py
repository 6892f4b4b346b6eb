"""The subscriber example of docs/subscribing.md reads real learning plans from Kafka,
validates each against the published schema, and refuses records that break it."""

import asyncio
import json
import re
import sys
from collections import Counter
from datetime import date
from pathlib import Path

import httpx
import pytest

from gegenstrom_contracts import topics
from gegenstrom_contracts.envelope import Envelope
from gegenstrom_contracts.profiling import CompetenceGap, CompetenceProfileUpdated
from gegenstrom_contracts.topics import Topic
from gegenstrom_contracts.training_match import LearningPlanUpdated
from gegenstrom_runtime.auth import Role
from gegenstrom_runtime.kafka import ensure_topics
from support.apps import infra_settings, serving
from support.kafka_io import produce, produce_envelopes, read_all, wait_group_caught_up
from support.tokens import bearer
from support.waiting import outbox_drained
from training_match.main import create_app
from training_match.settings import TrainingMatchSettings

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "subscribe_learning_plans.py"
LINE = re.compile(
    r"^employee (?P<employee>\S+), plan v(?P<version>\d+): (?P<items>\d+) item\(s\), "
    r"external cost avoided (?P<avoided>\d+\.\d\d) EUR$"
)
OFFERS = {
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
    "sheets-course": {
        "kind": "external_course",
        "title": "Tabellenkalkulation",
        "competence_id": "spreadsheets",
        "reaches_level": 3,
        "hours": 8,
        "cost_eur": 400,
        "remote": True,
        "provider": "VHS",
    },
    "sheets-intro": {
        "kind": "self_study",
        "title": "Tabellen lesen",
        "competence_id": "spreadsheets",
        "reaches_level": 3,
        "hours": 4,
        "remote": True,
    },
}
EMPLOYEES = ["emp-s0", "emp-s1", "emp-s2"]


def profile(employee_id: str, version: int, competences: list[str]) -> Envelope:
    gaps = [
        CompetenceGap(
            competence_id=c,
            current_level=0,
            target_level=3,
            size=3,
            priority=1,
            due_on=date(2027, 3, 1),
        )
        for c in competences
    ]
    event = CompetenceProfileUpdated(
        employee_id=employee_id,
        rollout_id="rollout-1",
        profile_version=version,
        input_version=version,
        site_id="hamburg",
        process_id="booking",
        gaps=gaps,
    )
    return Envelope(event, "/tests")


async def run_example(namespace, topic: str, group: str, count: int) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(EXAMPLE),
        "--bootstrap",
        namespace.servers.kafka_bootstrap,
        "--topic",
        topic,
        "--group",
        group,
        "--max",
        str(count),
        "--timeout",
        "30",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode is not None
    return process.returncode, stdout.decode(), stderr.decode()


async def publish_some_plans(namespace) -> None:
    """Training-match in this process turns profiles into plans on the namespace's topic."""
    settings = TrainingMatchSettings(
        **infra_settings(namespace, "training_match"), replan_debounce_s=0
    )
    app = create_app(settings)
    async with serving(app) as infra:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://tm") as client:
            for offer_id, body in OFFERS.items():
                response = await client.put(
                    f"/v1/offers/{offer_id}", json=body, headers=bearer("hr-1", Role.HR)
                )
                assert response.status_code == 200, response.text
        first = [profile(e, 1, ["kpi-reading", "spreadsheets"]) for e in EMPLOYEES]
        # the new version afterwards: in one batch with the first, only the newer is planned
        for profiles in (first, [profile(EMPLOYEES[0], 2, ["kpi-reading"])]):
            await produce_envelopes(
                namespace.servers.kafka_bootstrap, namespace.topic_prefix, profiles
            )
            await wait_group_caught_up(
                namespace.servers.kafka_bootstrap,
                namespace.group("training_match", topics.COMPETENCE_PROFILE),
                namespace.topic(topics.COMPETENCE_PROFILE),
            )
        await outbox_drained(infra.db)


async def test_the_example_reads_and_validates_every_plan(namespace):
    await publish_some_plans(namespace)
    bootstrap, topic = namespace.servers.kafka_bootstrap, namespace.topic(topics.LEARNING_PLAN)
    plans = [json.loads(r.value) for r in await read_all(bootstrap, topic)]
    assert {p["employee_id"] for p in plans} == set(EMPLOYEES) and len(plans) >= 4

    group = f"{namespace.topic_prefix}hr-suite"
    code, stdout, stderr = await run_example(namespace, topic, group, len(plans))

    assert code == 0, stderr
    printed = [LINE.match(line) for line in stdout.splitlines()]
    assert all(printed), stdout
    seen = [
        (m["employee"], int(m["version"]), int(m["items"]), float(m["avoided"]))
        for m in printed
        if m
    ]
    on_topic = [
        (
            p["employee_id"],
            p["plan_version"],
            len(p["items"]),
            p["totals"]["external_cost_avoided_eur"],
        )
        for p in plans
    ]
    assert Counter(seen) == Counter(on_topic)
    await wait_group_caught_up(bootstrap, group, topic, timeout_s=5)  # it committed


CE_HEADERS = {
    "ce_specversion": "1.0",
    "ce_id": "bad-1",
    "ce_source": "/tests",
    "ce_type": LearningPlanUpdated.event_type,
    "ce_time": "2027-01-01T00:00:00+00:00",
    "ce_subject": "emp-x",
    "content-type": "application/json",
}


@pytest.mark.parametrize(
    ("body", "headers", "problems"),
    [
        (
            {"employee_id": "emp-x", "rollout_id": "r-1", "plan_version": "one"},
            CE_HEADERS,
            ["'totals' is a required property", "plan_version: 'one' is not of type 'integer'"],
        ),
        ({}, {"content-type": "application/json"}, ["not a CloudEvent"]),
    ],
    ids=["schema", "headers"],
)
async def test_a_record_that_breaks_the_contract_stops_the_example(
    namespace, body, headers, problems
):
    bootstrap, bad = namespace.servers.kafka_bootstrap, Topic("bad-plans.v1", partitions=1)
    await ensure_topics(bootstrap, [bad], namespace.topic_prefix)
    topic = namespace.topic(bad)
    await produce(bootstrap, topic, [(b"emp-x", json.dumps(body).encode(), headers)])

    code, stdout, stderr = await run_example(namespace, topic, f"{topic}.reader", 1)

    assert code == 1 and stdout == ""
    assert "contract violation" in stderr and f"{topic}/0@0" in stderr
    for problem in problems:
        assert problem in stderr, stderr
