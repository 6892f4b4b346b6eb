"""Employee input over HTTP: re-submission, and bad input that gets a clear 4xx."""

import pytest

from gegenstrom_contracts import topics
from gegenstrom_runtime.auth import Role
from support.company import HR, seed_company
from support.factories import input_form
from support.kafka_io import read_all
from support.tokens import bearer
from support.waiting import outbox_drained


@pytest.fixture
async def employee(intake) -> str:
    ids = await seed_company(intake[0])
    return ids["1001"]  # works in Hamburg


async def post(client, body):
    return await client.post("/v1/employee-inputs", json=body, headers=bearer(body["employee_id"]))


async def input_events(infra, employee: str) -> int:
    """Input events about ``employee`` published on Kafka, once the outbox is empty."""
    await outbox_drained(infra.db)
    topic = topics.EMPLOYEE_INPUT.qualified(infra.settings.topic_prefix)
    records = await read_all(infra.settings.kafka_bootstrap, topic)
    return sum(r.key == employee.encode() for r in records)


async def test_resubmission_versions_only_real_changes(intake, employee):
    client, infra = intake
    first = await post(client, input_form(employee))
    same = await post(client, input_form(employee))
    changed = await post(client, input_form(employee, tool_ids=["tablet", "scanner"]))
    assert [r.status_code for r in (first, same, changed)] == [201, 200, 201]
    assert [r.json()["input_version"] for r in (first, same, changed)] == [1, 1, 2]
    assert await input_events(infra, employee) == 2
    read = await client.get(
        f"/v1/rollouts/rollout-1/employee-inputs/{employee}", headers=bearer(employee)
    )
    assert read.json()["input_version"] == 2 and read.json()["experience"].startswith("Geheimnis")


async def test_a_manager_of_the_site_sees_only_what_was_released(intake, employee):
    client, _ = intake
    await post(client, input_form(employee, released_to_manager=["learning_wishes"]))
    path = f"/v1/rollouts/rollout-1/employee-inputs/{employee}"
    seen = (await client.get(path, headers=bearer("mgr-1", Role.MANAGER, ("hamburg",)))).json()
    assert seen["learning_wishes"] and "self_ratings" not in seen and "experience" not in seen
    other_site = await client.get(path, headers=bearer("mgr-2", Role.MANAGER, ("gdansk",)))
    assert other_site.status_code == 403
    hr = (await client.get(path, headers=HR)).json()
    assert "experience" in hr


@pytest.mark.parametrize(
    ("change", "status", "says"),
    [
        ({"rollout_id": "no-such-rollout"}, 404, "no rollout no-such-rollout"),
        ({"site_id": "hambrug"}, 422, "unknown site 'hambrug'"),
        (
            {"learning_wishes": [{"competence_id": "juggling", "target_level": 2}]},
            422,
            "unknown competence 'juggling'",
        ),
    ],
)
async def test_unknown_references_are_refused(intake, employee, change, status, says):
    client, infra = intake
    response = await post(client, input_form(employee) | change)
    assert (response.status_code, says in response.text) == (status, True), response.text
    assert await infra.db["employee_inputs"].count_documents({}) == 0


async def test_an_unknown_employee_is_refused(intake):
    client, _ = intake
    await seed_company(client)
    response = await post(client, input_form("emp-unknown"))
    assert response.status_code == 422 and "unknown employee emp-unknown" in response.text


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"self_ratings": [{"competence_id": "excel", "level": "high"}]}, "valid integer"),
        ({"self_ratings": [{"competence_id": "excel", "level": 7}]}, "less than or equal to 4"),
        ({"role_id": None}, "role_id"),
        ({"employee_id": "a b"}, "employee_id"),
        ({"mentoring_offer": {"competence_ids": [], "capacity": 2}}, "competence_ids"),
        ({"favourite_colour": "blue"}, "favourite_colour"),
        ({"experience": "x" * 6000}, "experience"),
    ],
)
async def test_bad_input_gets_422_saying_what_is_wrong(intake, employee, change, says):
    client, infra = intake
    body = input_form(employee) | change
    response = await post(client, body)
    assert response.status_code == 422
    assert says in response.text
    assert await infra.db["employee_inputs"].count_documents({}) == 0


async def test_missing_fields_and_oversize_bodies(intake, employee):
    client, infra = intake
    body = input_form(employee)
    del body["rollout_id"]
    missing = await post(client, body)
    assert missing.status_code == 422 and "rollout_id" in missing.text
    huge = input_form(employee, tasks=["x" * 1000] * 25_000)
    assert (await post(client, huge)).status_code == 413
    not_json = await client.post(
        "/v1/employee-inputs",
        content=b"{oops",
        headers=bearer(employee) | {"content-type": "application/json"},
    )
    assert not_json.status_code == 422 and "JSON" in not_json.text
    assert await infra.db["employee_inputs"].count_documents({}) == 0
