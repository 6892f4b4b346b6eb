"""Intake's privacy controls on real Kafka and MongoDB: erasure on request, the works
agreement, the access log and retention."""

import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from gegenstrom_contracts import topics
from gegenstrom_contracts.envelope import Envelope
from gegenstrom_contracts.privacy import AccessedData, ErasureConfirmed, PersonalDataAccessed
from gegenstrom_runtime.auth import Role
from intake.main import create_app
from intake.privacy.retention import enforce_retention
from intake.settings import IntakeSettings
from support.apps import infra_settings, serving
from support.company import HR, ROLLOUT, seed_company
from support.factories import input_form
from support.kafka_io import end_offsets, produce_envelopes, read_until
from support.org_files import multipart, org_files
from support.privacy_scan import documents_mentioning
from support.tokens import bearer
from support.waiting import count_reaches, outbox_drained

ADMIN = bearer("admin-1", Role.ADMIN)
COUNCIL = bearer("council-1", Role.WORKS_COUNCIL)
SERVICE = bearer("notification", Role.SERVICE)
HAMBURG_MANAGER = bearer("mgr-1", Role.MANAGER, ("hamburg",))
T0 = datetime(2026, 11, 28, tzinfo=UTC)


class MovableClock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
async def company(intake) -> dict[str, str]:
    return await seed_company(intake[0])


async def submit(client: httpx.AsyncClient, form: dict) -> None:
    response = await client.post(
        "/v1/employee-inputs", json=form, headers=bearer(form["employee_id"])
    )
    assert response.status_code in (200, 201), response.text


def input_path(employee_id: str, rollout_id: str = "rollout-1") -> str:
    return f"/v1/rollouts/{rollout_id}/employee-inputs/{employee_id}"


async def access_entries(infra) -> int:
    return await infra.db["access_log"].count_documents({})


def accessed(employee_ids: list[str], role: str, data: AccessedData, at: datetime = T0) -> Envelope:
    event = PersonalDataAccessed(
        access_id=str(uuid.uuid4()),
        employee_ids=employee_ids,
        reader_id=f"reader-{role}",
        reader_role=role,
        data=data,
        service="profiling",
        accessed_at=at,
    )
    return Envelope(event, "/tests")


# --- erasure ------------------------------------------------------------------------------


async def leave_traces(client: httpx.AsyncClient, erased: str, colleague: str) -> None:
    """An input, a proposal and an idea of ``erased``, who also reads a colleague's input
    as a manager and is read about by a manager."""
    await submit(client, input_form(erased, site_id="gdansk"))
    await submit(client, input_form(colleague, site_id="gdansk"))
    proposal = {"items": [{"competence_id": "kpi-reading", "target_level": 3}]}
    put = await client.put(
        f"/v1/rollouts/rollout-1/requirements/kpi/proposals/{erased}",
        json=proposal,
        headers=bearer(erased),
    )
    assert put.status_code == 204, put.text
    idea = {"employee_id": erased, "kind": "process", "text": "Aufträge früher bündeln"}
    posted = await client.post("/v1/rollouts/rollout-1/ideas", json=idea, headers=bearer(erased))
    assert posted.status_code == 201, posted.text
    gdansk_manager = bearer("mgr-2", Role.MANAGER, ("gdansk",))
    assert (await client.get(input_path(erased), headers=gdansk_manager)).status_code == 200
    as_manager = bearer(erased, Role.MANAGER, ("gdansk",))
    assert (await client.get(input_path(colleague), headers=as_manager)).status_code == 200


async def test_erasure_leaves_no_trace_of_the_id_and_is_confirmed(intake, company, namespace):
    client, infra = intake
    erased, colleague = company["1000"], company["1003"]  # 1000 manages everyone else
    await leave_traces(client, erased, colleague)
    await count_reaches(lambda: access_entries(infra), 3)  # HR's list and both reads

    other = await client.post(f"/v1/employees/{erased}/erasure", headers=bearer(colleague))
    assert other.status_code == 403
    response = await client.post(f"/v1/employees/{erased}/erasure", headers=HR)
    assert response.status_code == 202, response.text
    assert response.json() == {
        "employee_id": erased,
        "status": "erasing",
        "pending": ["notification", "profiling", "training-match"],
    }
    await outbox_drained(infra.db)

    database = namespace.database("intake")
    for needle in (erased, "person0@nordwind.example", "Aufträge früher bündeln"):
        assert await documents_mentioning(namespace.servers.mongo_uri, [database], needle) == []
    read_by_erased = await infra.db["access_log"].find_one({"reader_id": "erased"})
    assert read_by_erased is not None and read_by_erased["employee_ids"] == [colleague]
    subordinate = await infra.db["employees"].find_one({"_id": colleague})
    assert subordinate is not None and subordinate["manager_personnel_number"] is None

    erasure_topic = namespace.topic(topics.ERASURE)
    [record] = await read_until(namespace.servers.kafka_bootstrap, erasure_topic, bool)
    assert json.loads(record.value) == {"employee_id": erased}

    again = await client.post(f"/v1/employees/{erased}/erasure", headers=bearer(erased))
    assert (again.status_code, again.json()["status"]) == (200, "erasing")
    await outbox_drained(infra.db)
    ends = await end_offsets(namespace.servers.kafka_bootstrap, erasure_topic)
    assert sum(ends.values()) == 1  # nothing published again

    contact = await client.get(f"/internal/v1/contacts/{erased}", headers=SERVICE)
    record_read = await client.get(f"/v1/org/employees/{erased}", headers=HR)
    assert (contact.status_code, record_read.status_code) == (404, 404)
    unknown = await client.post("/v1/employees/emp-never-was/erasure", headers=HR)
    assert unknown.status_code == 404
    late = await client.put(
        f"/v1/rollouts/rollout-1/requirements/kpi/proposals/{erased}",
        json={"items": [{"competence_id": "kpi-reading", "target_level": 2}]},
        headers=bearer(erased),
    )
    assert late.status_code == 422  # a token that outlived its person writes nothing

    await confirm_by_every_service(namespace, erased)
    status = f"/v1/employees/{erased}/erasure"

    async def confirmed() -> int:
        return len((await client.get(status, headers=HR)).json()["confirmed_by"])

    await count_reaches(confirmed, 3)
    assert (await client.get(status, headers=HR)).json() == {
        "employee_id": erased,
        "status": "erased",
        "confirmed_by": ["notification", "profiling", "training-match"],
        "pending": [],
    }
    assert await documents_mentioning(namespace.servers.mongo_uri, [database], erased) == []


async def confirm_by_every_service(namespace, employee_id: str) -> None:
    confirmations = [
        Envelope(ErasureConfirmed(employee_id=employee_id, service=s), f"/gegenstrom/{s}")
        for s in ("notification", "profiling", "training-match")
    ]
    await produce_envelopes(
        namespace.servers.kafka_bootstrap, namespace.topic_prefix, confirmations
    )


async def test_a_later_import_makes_the_erased_person_someone_new(intake, company):
    client, _ = intake
    erased = company["1000"]
    assert (await client.post(f"/v1/employees/{erased}/erasure", headers=HR)).status_code == 202
    imported = await client.post("/v1/org/import", files=multipart(org_files()), headers=HR)
    assert imported.status_code == 200, imported.text
    listed = (await client.get("/v1/org/employees?personnel_number=1000", headers=HR)).json()
    assert [e["employee_id"] for e in listed] != [erased] and len(listed) == 1
    assert (await client.get(f"/v1/employees/{erased}/erasure", headers=HR)).status_code == 200


# --- works agreement ----------------------------------------------------------------------


async def test_the_works_agreement_is_versioned_logged_and_published(intake, namespace):
    client, infra = intake
    default = (await client.get("/v1/works-agreement", headers=COUNCIL)).json()
    assert (default["version"], default["terms"]["k"], default["in_force_from"]) == (0, 5, None)

    terms = {"k": 7, "managers_see_by_default": ["self_ratings"]}
    assert (await client.put("/v1/works-agreement", json=terms, headers=HR)).status_code == 403
    bad = await client.put("/v1/works-agreement", json={"k": 1}, headers=ADMIN)
    assert bad.status_code == 422 and "greater than or equal to 2" in bad.text
    changed = await client.put("/v1/works-agreement", json=terms, headers=ADMIN)
    assert changed.status_code == 200 and changed.json()["version"] == 1
    same = await client.put("/v1/works-agreement", json=terms, headers=ADMIN)
    assert same.json()["version"] == 1

    [change] = (await client.get("/v1/works-agreement/changes", headers=COUNCIL)).json()
    assert (change["changed_by"], change["role"], change["version"]) == ("admin-1", "admin", 1)
    assert change["changed_fields"] == ["k", "managers_see_by_default"]
    assert (change["before"]["k"], change["after"]["k"]) == (5, 7)
    assert (
        await client.get("/v1/works-agreement/changes", headers=bearer("e-1"))
    ).status_code == 403

    await outbox_drained(infra.db)
    topic = namespace.topic(topics.WORKS_AGREEMENT)
    [record] = await read_until(namespace.servers.kafka_bootstrap, topic, bool)
    assert record.key == b"works-agreement"
    assert json.loads(record.value)["agreement_version"] == 1


async def test_managers_see_the_agreements_default_when_the_employee_chose_nothing(intake, company):
    client, _ = intake
    terms = {"k": 2, "managers_see_by_default": ["self_ratings"]}
    assert (await client.put("/v1/works-agreement", json=terms, headers=ADMIN)).status_code == 200
    unchosen, nothing = company["1001"], company["1002"]
    form = input_form(unchosen)
    del form["released_to_manager"]
    await submit(client, form)
    await submit(client, input_form(nothing, released_to_manager=[]))

    seen = (await client.get(input_path(unchosen), headers=HAMBURG_MANAGER)).json()
    assert "self_ratings" in seen and "learning_wishes" not in seen and "experience" not in seen
    seen = (await client.get(input_path(nothing), headers=HAMBURG_MANAGER)).json()
    assert "self_ratings" not in seen and "learning_wishes" not in seen
    participation = await client.get("/v1/rollouts/rollout-1/participation", headers=COUNCIL)
    assert participation.json()["k"] == 2


# --- access log ---------------------------------------------------------------------------


async def test_employees_see_who_read_their_data_but_not_their_own_reads(intake, company):
    client, infra = intake
    employee, manager = company["1001"], company["1000"]
    await submit(client, input_form(employee))
    assert (await client.get(input_path(employee), headers=bearer(employee))).status_code == 200
    assert (await client.get(input_path(employee), headers=HAMBURG_MANAGER)).status_code == 200
    as_manager = bearer(manager, Role.MANAGER, ("hamburg",))
    assert (await client.get(input_path(employee), headers=as_manager)).status_code == 200

    async def mine() -> list[dict]:
        return (await client.get("/v1/me/access-log", headers=bearer(employee))).json()

    async def reads_of_input() -> int:
        return len([e for e in await mine() if e["data"] == "employee_input"])

    await count_reaches(reads_of_input, 2)
    await count_reaches(lambda: access_entries(infra), 3)  # and HR's list
    entries = await mine()
    assert [(e["reader"], e["reader_role"], e["service"]) for e in entries[:2]] == [
        ("Vor0 Nach0", "manager", "intake"),
        ("mgr-1", "manager", "intake"),
    ]
    assert entries[2]["data"] == "employee_list" and len(entries) == 3


async def test_access_stats_count_distinct_employees_and_suppress_cells_under_k(intake, namespace):
    client, infra = intake
    ids = [f"emp-stat-{i}" for i in range(5)]
    events = [
        accessed(ids, "hr", AccessedData.COMPETENCE_PROFILE),
        accessed(ids[:2], "hr", AccessedData.COMPETENCE_PROFILE),  # the same people again
        accessed(ids[:4], "manager", AccessedData.LEARNING_PLAN),
    ]
    await produce_envelopes(namespace.servers.kafka_bootstrap, namespace.topic_prefix, events)
    await count_reaches(lambda: access_entries(infra), 3)

    assert (await client.get("/v1/access-log/stats", headers=HR)).status_code == 403
    response = await client.get("/v1/access-log/stats", headers=COUNCIL)
    assert response.json()["k"] == 5
    assert response.json()["cells"] == [
        {"reader_role": "hr", "data": "competence_profile", "employees": 5},
        {"reader_role": "manager", "data": "learning_plan", "employees": None},
    ]
    assert "emp-stat" not in response.text and "reader-" not in response.text
    later = await client.get(
        "/v1/access-log/stats",
        params={"since": (T0 + timedelta(days=1)).isoformat()},
        headers=COUNCIL,
    )
    assert later.json()["cells"] == []


# --- retention ----------------------------------------------------------------------------


@pytest.fixture
async def clocked(namespace) -> AsyncIterator[tuple[httpx.AsyncClient, object, MovableClock]]:
    """Intake with a clock the test moves."""
    clock = MovableClock(T0)
    app = create_app(IntakeSettings(**infra_settings(namespace, "intake")), clock=clock)
    async with serving(app) as infra:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://intake") as client:
            yield client, infra, clock


CLOSED = ROLLOUT | {
    "waves": [
        {"site_id": "hamburg", "starts_on": "2026-05-01", "ends_on": "2026-08-31"},
        {"site_id": "gdansk", "starts_on": "2026-06-01", "ends_on": "2026-10-31"},
    ]
}


async def test_retention_deletes_exactly_what_expired(clocked, namespace):
    client, infra, clock = clocked
    ids = await seed_company(client)
    closed = await client.put("/v1/rollouts/closed-rollout", json=CLOSED, headers=HR)
    assert closed.status_code == 201, closed.text
    employee = ids["1001"]
    await submit(client, input_form(employee))
    await submit(client, input_form(employee, rollout_id="closed-rollout"))
    await submit(client, input_form(employee, rollout_id="closed-rollout", tool_ids=[]))
    for rollout_id in ("rollout-1", "closed-rollout"):
        proposal = {"items": [{"competence_id": "kpi-reading", "target_level": 3}]}
        path = f"/v1/rollouts/{rollout_id}/requirements/kpi/proposals/{employee}"
        put = await client.put(path, json=proposal, headers=bearer(employee))
        assert put.status_code == 204, put.text
    events = [
        accessed([employee], "hr", AccessedData.ORG_RECORD, at=T0 - timedelta(days=300)),
        accessed([employee], "hr", AccessedData.ORG_RECORD, at=T0 - timedelta(days=10)),
    ]
    await produce_envelopes(namespace.servers.kafka_bootstrap, namespace.topic_prefix, events)
    await count_reaches(lambda: access_entries(infra), 3)  # and HR's list at T0

    nothing = {"employee_inputs": 0, "proposals": 0, "access_log": 0}
    assert await enforce_retention(infra, clock) == nothing
    clock.now = T0 + timedelta(days=170)  # closed-rollout ended 198 days ago
    assert (await client.post("/v1/retention/run", headers=HR)).status_code == 403
    run = await client.post("/v1/retention/run", headers=ADMIN)
    assert run.json()["deleted"] == {"employee_inputs": 1, "proposals": 1, "access_log": 1}

    inputs = infra.db["employee_inputs"]
    assert [d["_id"] async for d in inputs.find({})] == [f"rollout-1:{employee}"]
    versions = infra.db["employee_inputs_versions"]
    assert await versions.count_documents({"content.rollout_id": "closed-rollout"}) == 0
    assert await versions.count_documents({"content.rollout_id": "rollout-1"}) == 1
    proposals = [d["rollout_id"] async for d in infra.db["proposals"].find({})]
    assert proposals == ["rollout-1"]
    kept = [d["accessed_at"] async for d in infra.db["access_log"].find({}).sort("accessed_at")]
    assert kept == [T0 - timedelta(days=10), T0]
    assert await enforce_retention(infra, clock) == nothing


# --- who may call what --------------------------------------------------------------------

ROLES_ALLOWED = {
    ("GET", "/v1/works-agreement"): set(Role),
    ("GET", "/v1/works-agreement/changes"): {Role.WORKS_COUNCIL, Role.HR, Role.ADMIN},
    ("PUT", "/v1/works-agreement"): {Role.ADMIN},
    ("GET", "/v1/access-log/stats"): {Role.WORKS_COUNCIL, Role.ADMIN},
    ("GET", "/v1/me/access-log"): set(Role),
    ("POST", "/v1/retention/run"): {Role.ADMIN},
    ("GET", "/v1/employees/emp-someone/erasure"): {Role.HR, Role.ADMIN},
    ("POST", "/v1/employees/emp-someone/erasure"): {Role.HR, Role.ADMIN},
}


async def test_each_privacy_endpoint_lets_exactly_its_roles_through(intake):
    client, _ = intake
    for (method, path), allowed in ROLES_ALLOWED.items():
        for role in Role:
            body = {"json": {}} if method == "PUT" else {}
            response = await client.request(
                method, path, headers=bearer(f"who-{role.value}", role), **body
            )
            assert (response.status_code != 403) == (role in allowed), (method, path, role)
    unauthenticated = await client.get("/v1/works-agreement")
    assert unauthenticated.status_code == 401
