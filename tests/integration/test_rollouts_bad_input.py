"""Bad input for the rollout endpoints: a 4xx that says what is wrong, nothing written."""

import pytest

from support.company import HR, ROLLOUT, seed_company
from support.tokens import bearer
from support.waiting import outbox_events

REQ = "/v1/rollouts/rollout-1/requirements/kpi"
WAVE = {"site_id": "hamburg", "starts_on": "2027-03-01"}


@pytest.fixture
async def company(intake) -> dict[str, str]:
    return await seed_company(intake[0])


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"site_ids": ["hamburg", "atlantis"]}, "unknown site 'atlantis'"),
        ({"site_ids": []}, "site_ids"),
        ({"waves": [WAVE, WAVE]}, "wave site 'hamburg' given more than once"),
        (
            {"waves": [{"site_id": "hamburg", "starts_on": "2027-05-01", "ends_on": "2027-03-01"}]},
            "ends before it starts",
        ),
        ({"waves": [{"site_id": "hamburg", "starts_on": "im Mai"}]}, "valid date"),
        (
            {"role_changes": [{"from_role_id": "dispatcher", "to_role_id": "pilot"}]},
            "unknown role (role change) 'pilot'",
        ),
        (
            {"requirements": [{"requirement_id": "kpi", "title": "A", "role_ids": ["pilot"]}]},
            "requirement kpi: role 'pilot' is not in the rollout's scope",
        ),
        ({"title": ""}, "title"),
        ({"budget": 10}, "budget"),
    ],
)
async def test_bad_rollouts(intake, company, change, says):
    client, infra = intake
    versions_before = await infra.db["rollouts_versions"].count_documents({})
    response = await client.put("/v1/rollouts/rollout-2", json=ROLLOUT | change, headers=HR)
    assert response.status_code == 422 and says in response.text, response.text
    assert await infra.db["rollouts"].count_documents({"_id": "rollout-2"}) == 0
    assert await infra.db["rollouts_versions"].count_documents({}) == versions_before


@pytest.mark.parametrize(
    ("path", "body", "status", "says"),
    [
        (
            f"{REQ}/profile",
            {"items": [{"competence_id": "juggling", "target_level": 2}]},
            422,
            "unknown competence 'juggling'",
        ),
        (
            f"{REQ}/profile",
            {"items": [{"competence_id": "kpi-reading", "target_level": 5}]},
            422,
            "less than or equal to 4",
        ),
        (f"{REQ}/profile", {"items": []}, 422, "at least 1 item"),
        (
            f"{REQ}/profile",
            {"items": [{"competence_id": "kpi-reading", "target_level": 2}] * 2},
            422,
            "competence 'kpi-reading' given more than once",
        ),
        (
            "/v1/rollouts/rollout-1/requirements/nope/profile",
            {"items": [{"competence_id": "kpi-reading", "target_level": 2}]},
            404,
            "rollout rollout-1 has no requirement nope",
        ),
        (
            "/v1/rollouts/gone/requirements/kpi/profile",
            {"items": [{"competence_id": "kpi-reading", "target_level": 2}]},
            404,
            "no rollout gone",
        ),
    ],
)
async def test_bad_profiles(intake, company, path, body, status, says):
    client, infra = intake
    response = await client.put(path, json=body, headers=HR)
    assert (response.status_code, says in response.text) == (status, True), response.text
    assert await infra.db["requirement_profiles"].count_documents({}) == 0
    assert not [e for e in await outbox_events(infra.db) if "requirement" in e["topic"]]


async def test_bad_proposals_and_ideas(intake, company):
    client, infra = intake
    employee = company["1002"]
    me = bearer(employee)
    unknown = await client.put(
        f"{REQ}/proposals/{employee}",
        headers=me,
        json={"items": [{"competence_id": "juggling", "target_level": 2}]},
    )
    assert unknown.status_code == 422 and "unknown competence 'juggling'" in unknown.text
    idea = {"employee_id": employee, "kind": "automation", "text": "Tablets"}
    wrong_process = await client.post(
        "/v1/rollouts/rollout-1/ideas", headers=me, json=idea | {"process_id": "nowhere"}
    )
    assert wrong_process.status_code == 422 and "unknown process 'nowhere'" in wrong_process.text
    scoped = ROLLOUT | {"process_ids": ["booking"]}
    assert (await client.put("/v1/rollouts/rollout-1", json=scoped, headers=HR)).status_code == 201
    outside = await client.post(
        "/v1/rollouts/rollout-1/ideas", headers=me, json=idea | {"process_id": "billing"}
    )
    assert outside.status_code == 422 and "process 'billing' is not in rollout" in outside.text
    assert await infra.db["proposals"].count_documents({}) == 0
    assert await infra.db["ideas"].count_documents({}) == 0
