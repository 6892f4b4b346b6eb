"""Many inputs in one request: all published together, or none stored when one is bad."""

import pytest

from gegenstrom_contracts import topics
from gegenstrom_runtime.auth import Role
from support.company import HR, seed_company
from support.factories import input_form
from support.kafka_io import read_until
from support.tokens import bearer
from support.waiting import outbox_events

PATH = "/v1/employee-inputs/bulk"


@pytest.fixture
async def employees(intake) -> list[str]:
    ids = await seed_company(intake[0])
    return [ids[number] for number in ("1001", "1002", "1003")]


async def test_a_good_batch_is_stored_and_published(intake, employees, namespace):
    client, infra = intake
    response = await client.post(PATH, json=[input_form(e) for e in employees], headers=HR)
    assert response.status_code == 200, response.text
    assert [r["input_version"] for r in response.json()] == [1, 1, 1]
    again = await client.post(PATH, json=[input_form(e) for e in employees], headers=HR)
    assert [r["changed"] for r in again.json()] == [False, False, False]
    topic = namespace.topic(topics.EMPLOYEE_INPUT)
    records = await read_until(namespace.servers.kafka_bootstrap, topic, lambda rs: len(rs) >= 3)
    assert sorted(r.key.decode() for r in records) == sorted(employees)
    assert b"Geheimnis" not in b"".join(r.value for r in records)
    assert await infra.db["employee_inputs_versions"].count_documents({}) == 3


async def test_one_bad_item_names_it_and_stores_nothing(intake, employees):
    client, infra = intake
    forms = [input_form(e) for e in employees]
    forms[1]["site_id"] = "hambrug"
    response = await client.post(PATH, json=forms, headers=HR)
    assert response.status_code == 422
    assert response.json()["detail"] == [f"item 1 ({employees[1]}): unknown site 'hambrug'"]
    assert await infra.db["employee_inputs"].count_documents({}) == 0
    assert not [e for e in await outbox_events(infra.db) if "employee-input" in e["topic"]]


async def test_an_invalid_item_is_named_by_its_index(intake, employees):
    client, _ = intake
    forms = [input_form(e) for e in employees]
    forms[2]["self_ratings"] = [{"competence_id": "kpi-reading", "level": 9}]
    response = await client.post(PATH, json=forms, headers=HR)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][:2] == ["body", 2]


async def test_employees_may_not_submit_in_bulk(intake, employees):
    client, _ = intake
    response = await client.post(
        PATH, json=[input_form(employees[0])], headers=bearer(employees[0], Role.EMPLOYEE)
    )
    assert response.status_code == 403
