"""Employee input over HTTP: re-submission, and bad input that gets a clear 4xx."""

import pytest

from support.factories import input_form
from support.tokens import bearer

EMPLOYEE = "emp-input-1"


async def post(client, body, who=EMPLOYEE):
    return await client.post("/v1/employee-inputs", json=body, headers=bearer(who))


async def test_resubmission_versions_only_real_changes(intake):
    client, infra = intake
    first = await post(client, input_form(EMPLOYEE))
    same = await post(client, input_form(EMPLOYEE))
    changed = await post(client, input_form(EMPLOYEE, tool_ids=["tablet", "scanner"]))
    assert [r.status_code for r in (first, same, changed)] == [201, 200, 201]
    assert [r.json()["input_version"] for r in (first, same, changed)] == [1, 1, 2]
    assert await infra.db["outbox"].count_documents({}) == 2
    read = await client.get(
        f"/v1/rollouts/rollout-1/employee-inputs/{EMPLOYEE}", headers=bearer(EMPLOYEE)
    )
    assert read.json()["input_version"] == 2 and read.json()["experience"].startswith("Geheimnis")


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
async def test_bad_input_gets_422_saying_what_is_wrong(intake, change, says):
    client, infra = intake
    body = input_form(EMPLOYEE) | change
    response = await post(client, body, who=body["employee_id"])
    assert response.status_code == 422
    assert says in response.text
    assert await infra.db["employee_inputs"].count_documents({}) == 0


async def test_missing_fields_and_oversize_bodies(intake):
    client, infra = intake
    body = input_form(EMPLOYEE)
    del body["rollout_id"]
    missing = await post(client, body)
    assert missing.status_code == 422 and "rollout_id" in missing.text
    huge = input_form(EMPLOYEE, tasks=["x" * 1000] * 25_000)
    assert (await post(client, huge)).status_code == 413
    not_json = await client.post(
        "/v1/employee-inputs",
        content=b"{oops",
        headers=bearer(EMPLOYEE) | {"content-type": "application/json"},
    )
    assert not_json.status_code == 422 and "JSON" in not_json.text
    assert await infra.db["employee_inputs"].count_documents({}) == 0
