"""The competence catalog through intake's HTTP API: ESCO import and company competences."""

from gegenstrom_runtime.auth import Role
from support.data import esco_files
from support.tokens import bearer

HR = bearer("hr-1", Role.HR)
EMPLOYEE = bearer("emp-1")


async def post_esco(client, files: dict[str, bytes], dry_run=False):
    fields = [("files", (name, data, "text/csv")) for name, data in files.items()]
    return await client.post(
        f"/v1/catalog/esco-import?dry_run={str(dry_run).lower()}", files=fields, headers=HR
    )


async def test_esco_import_of_every_file_and_reimport_changes_nothing(intake):
    client, infra = intake
    files = esco_files()
    dry = (await post_esco(client, files, dry_run=True)).json()
    assert dry["applied"] is False and await infra.db["competences"].count_documents({}) == 0

    first = await post_esco(client, files)
    assert first.status_code == 200, first.text
    report = first.json()
    assert report["files"]["transversalSkillsCollection_de.csv"]["rows_read"] == 96
    assert report["files"]["occupations_de.csv"]["occupations"] == 3008
    assert report["changes"]["new"] == dry["changes"]["new"] == 493 + 643
    assert report["unresolved_references"] == 6
    assert await infra.db["competences"].count_documents({}) == 493 + 643

    again = (await post_esco(client, files)).json()
    assert again["changes"] == {"new": 0, "changed": 0, "unchanged": 493 + 643}


async def test_labels_survive_the_round_trip_and_can_be_searched(intake):
    client, _ = intake
    await post_esco(client, esco_files())
    found = (await client.get("/v1/catalog/competences?q=Konflikte lösen", headers=EMPLOYEE)).json()
    assert "Konflikte lösen" in [c["labels"]["de"] for c in found]
    one = found[0]
    fetched = await client.get(f"/v1/catalog/competences/{one['competence_id']}", headers=EMPLOYEE)
    assert fetched.json() == one
    assert one["esco_uri"].startswith("http://data.europa.eu/esco/skill/")
    assert one["parent_ids"] or one["unresolved_parents"]


async def test_company_competences_sit_beside_esco(intake):
    client, _ = intake
    await post_esco(client, esco_files())
    skill = (
        await client.get("/v1/catalog/competences?q=Konflikte lösen", headers=EMPLOYEE)
    ).json()[0]
    body = {
        "labels": {"de": "Konfliktgespräche in der Schicht", "en": "Conflict talks on shift"},
        "category": "social",
        "parent_ids": [skill["competence_id"]],
    }
    created = await client.put("/v1/catalog/competences/shift-conflicts", json=body, headers=HR)
    assert created.status_code == 201, created.text
    same = await client.put("/v1/catalog/competences/shift-conflicts", json=body, headers=HR)
    assert same.status_code == 200
    company = (await client.get("/v1/catalog/competences?source=company", headers=EMPLOYEE)).json()
    assert [c["competence_id"] for c in company] == ["shift-conflicts"]


async def test_bad_catalog_input_gets_a_clear_4xx_and_writes_nothing(intake):
    client, infra = intake
    good = {"labels": {"de": "Excel"}, "category": "tool"}
    cases = [
        ("esco:made-up", good, 422, "pattern"),
        ("excel", {**good, "parent_ids": ["nope"]}, 422, "unknown parent competence(s): nope"),
        ("excel", {"labels": {"en": "Excel"}, "category": "tool"}, 422, "de"),
        ("excel", {**good, "category": "magic"}, 422, "category"),
        ("excel", {**good, "level": 3}, 422, "level"),
    ]
    for competence_id, body, status, says in cases:
        response = await client.put(
            f"/v1/catalog/competences/{competence_id}", json=body, headers=HR
        )
        assert (response.status_code, says in response.text) == (status, True), response.text
    forbidden = await client.put("/v1/catalog/competences/excel", json=good, headers=EMPLOYEE)
    assert forbidden.status_code == 403 and "needs hr, admin" in forbidden.json()["detail"]
    assert await infra.db["competences"].count_documents({}) == 0


async def test_an_unreadable_esco_file_stops_the_whole_import(intake):
    client, infra = intake
    files = esco_files()
    files["transversalSkillsCollection_de.csv"] = "Konflikte lösen".encode("cp1252")
    response = await post_esco(client, files)
    assert response.status_code == 422
    assert any("UTF-8" in p["reason"] for p in response.json()["problems"])
    assert await infra.db["competences"].count_documents({}) == 0
