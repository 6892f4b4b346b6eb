"""Both directions of the counter-current principle through intake, on real Kafka and
MongoDB: the seed's KPI example, ideas, and what each side may see."""

import json

import pytest

from gegenstrom_contracts import topics
from gegenstrom_runtime.auth import Role
from support.company import HR, seed_company
from support.factories import SECRET_TEXT, input_form
from support.kafka_io import header, read_all
from support.tokens import bearer
from support.waiting import outbox_drained

KPI_COMPETENCES = {  # the kinds of items of the source document's example
    "sap-co-pa": ("SAP S/4HANA CO-PA Reporting", "tool"),
    "excel-functions": ("Excel: Pivot, XVERWEIS, Power Query", "tool"),
    "process-exchange": ("Austausch mit vor- und nachgelagerten Prozessschritten", "process"),
    "conversation-conflict": ("Gesprächsführung und Konfliktlösung", "social"),
    "project-basics": ("Projektmanagement-Grundlagen", "method"),
}
REQ = "/v1/rollouts/rollout-1/requirements/kpi"
IDEA_TEXT = "Rückmeldungen der Verladung direkt in der Buchung sehen"


@pytest.fixture
async def company(intake) -> dict[str, str]:
    client, _ = intake
    ids = await seed_company(client, employees=12)
    for competence_id, (label, category) in KPI_COMPETENCES.items():
        body = {"labels": {"de": label}, "category": category}
        assert (
            await client.put(f"/v1/catalog/competences/{competence_id}", json=body, headers=HR)
        ).is_success
    return ids


async def propose(client, employee: str, levels: dict[str, int]):
    items = [{"competence_id": c, "target_level": level} for c, level in levels.items()]
    return await client.put(
        f"{REQ}/proposals/{employee}", json={"items": items}, headers=bearer(employee)
    )


async def test_the_kpi_example_from_proposals_to_a_published_profile(intake, company, namespace):
    client, infra = intake
    a, b, c = company["1002"], company["1004"], company["1000"]  # three dispatchers
    assert (
        await propose(client, a, {"sap-co-pa": 3, "excel-functions": 3, "process-exchange": 2})
    ).status_code == 204
    assert (
        await propose(client, b, {"sap-co-pa": 2, "excel-functions": 3, "conversation-conflict": 2})
    ).status_code == 204
    assert (
        await propose(client, c, {"sap-co-pa": 3, "project-basics": 2, "process-exchange": 2})
    ).status_code == 204

    summary = (await client.get(f"{REQ}/proposals", headers=HR)).json()
    assert summary["proposals"] == 3
    first = summary["competences"][0]
    assert first == {"competence_id": "sap-co-pa", "proposed_by": 3, "levels": {"2": 1, "3": 2}}

    profile = {
        "items": [
            {"competence_id": "sap-co-pa", "target_level": 3, "essential": True},
            {"competence_id": "excel-functions", "target_level": 3, "essential": True},
            {"competence_id": "process-exchange", "target_level": 2, "essential": False},
            {"competence_id": "conversation-conflict", "target_level": 2, "essential": False},
            {"competence_id": "project-basics", "target_level": 2, "essential": False},
        ]
    }
    assert (await client.put(f"{REQ}/profile", json=profile, headers=HR)).status_code == 201
    assert (await client.put(f"{REQ}/profile", json=profile, headers=HR)).status_code == 200
    profile["items"][0]["target_level"] = 4
    assert (await client.put(f"{REQ}/profile", json=profile, headers=HR)).status_code == 201

    await outbox_drained(infra.db)
    published = await read_all(
        namespace.servers.kafka_bootstrap, namespace.topic(topics.REQUIREMENT_PROFILE)
    )
    versions = [json.loads(r.value) for r in published]
    assert [v["profile_version"] for v in versions] == [1, 2]
    assert sorted(i["category"] for i in versions[0]["items"]) == [
        "method",
        "process",
        "social",
        "tool",
        "tool",
    ]
    assert versions[0]["proposals_considered"] == 3
    assert versions[0]["role_ids"] == ["dispatcher", "controller"]
    assert versions[1]["items"][0] == {
        "competence_id": "sap-co-pa",
        "category": "tool",
        "target_level": 4,
        "essential": True,
    }


async def test_ideas_are_answered_and_every_status_is_an_event(intake, company, namespace):
    client, infra = intake
    author = company["1002"]
    posted = await client.post(
        "/v1/rollouts/rollout-1/ideas",
        headers=bearer(author),
        json={
            "employee_id": author,
            "process_id": "loading",
            "kind": "automation",
            "text": IDEA_TEXT,
        },
    )
    idea_id = posted.json()["idea_id"]
    listed = (await client.get("/v1/rollouts/rollout-1/ideas", headers=HR)).json()
    [idea] = listed["by_process"]["loading"]
    assert idea["text"] == IDEA_TEXT and "author_id" not in idea

    answer = {"status": "adopted", "reason": "Kommt mit Welle 1"}
    manager = bearer("mgr-1", Role.MANAGER, ("hamburg",))
    assert (await client.post(f"/v1/ideas/{idea_id}/status", json=answer, headers=manager)).json()[
        "status_version"
    ] == 2
    wrong = await client.post(
        f"/v1/ideas/{idea_id}/status", json={"status": "maybe", "reason": "x y"}, headers=HR
    )
    assert wrong.status_code == 422 and "status" in wrong.text

    await outbox_drained(infra.db)
    events = await read_all(namespace.servers.kafka_bootstrap, namespace.topic(topics.IDEA))
    assert [(json.loads(r.value)["status"], header(r, "ce_subject")) for r in events] == [
        ("new", author),
        ("adopted", author),
    ]


async def test_each_employee_sees_their_current_and_new_role(intake, company):
    client, _ = intake
    dispatcher = company["1002"]
    mine = (await client.get("/v1/rollouts/rollout-1/me", headers=bearer(dispatcher))).json()
    assert (mine["current_role_id"], mine["new_role_id"]) == ("dispatcher", "controller")
    assert mine["wave"]["site_id"] == "hamburg" and mine["in_scope"] is True
    assert [r["requirement_id"] for r in mine["requirements"]] == ["kpi"]


async def test_participation_hides_small_groups_and_what_would_reveal_them(intake, company):
    client, _ = intake
    for number in ("1001", "1002", "1004"):  # three Hamburg employees give input
        employee = company[number]
        form = input_form(employee)
        assert (
            await client.post("/v1/employee-inputs", json=form, headers=bearer(employee))
        ).is_success
    council = bearer("wc-1", Role.WORKS_COUNCIL)
    sites = (await client.get("/v1/rollouts/rollout-1/participation", headers=council)).json()[
        "sites"
    ]
    # 12 employees: 8 in Hamburg, 4 in Gdańsk; Gdańsk is under k=5, and Hamburg alone
    # would reveal it by subtraction from the company total
    assert sites == {
        "hamburg": {"employees_in_scope": None, "inputs_received": None},
        "gdansk": {"employees_in_scope": None, "inputs_received": None},
    }


async def test_no_event_of_the_scenario_holds_names_addresses_or_free_text(
    intake, company, namespace
):
    client, infra = intake
    employee = company["1002"]
    await client.post("/v1/employee-inputs", json=input_form(employee), headers=bearer(employee))
    await propose(client, employee, {"sap-co-pa": 3})
    await client.post(
        "/v1/rollouts/rollout-1/ideas",
        headers=bearer(employee),
        json={"employee_id": employee, "kind": "process", "text": IDEA_TEXT},
    )
    await outbox_drained(infra.db)

    forbidden = [
        SECRET_TEXT,
        IDEA_TEXT,
        "nordwind.example",
        "Vor2",
        "Nach2",
        "Kaufmann",
        "Schichtübergabe",
    ]
    topic_names = [t for t in topics.ALL_TOPICS if t.name.startswith("gegenstrom.intake.")]
    seen = 0
    for topic in topic_names:
        for record in await read_all(namespace.servers.kafka_bootstrap, namespace.topic(topic)):
            seen += 1
            text = record.value.decode() + json.dumps([(k, v.decode()) for k, v in record.headers])
            assert not [word for word in forbidden if word in text], (topic.name, text[:300])
    assert seen == 12 + 1 + 1 + 1 + 1  # assignments, structure, rollout, input, idea
