"""The HR import through intake's HTTP API, on the real MongoDB and Kafka."""

import json

from gegenstrom_contracts import topics
from gegenstrom_runtime.auth import Role
from support.kafka_io import header, read_all, read_until
from support.org_files import employee_rows, employees_csv, multipart, org_files
from support.tokens import bearer
from support.waiting import outbox_drained

HR = bearer("hr-1", Role.HR)


async def post_import(client, files, dry_run=False):
    return await client.post(
        f"/v1/org/import?dry_run={str(dry_run).lower()}", files=multipart(files), headers=HR
    )


async def test_import_publishes_structure_and_assignments_without_personal_data(intake, namespace):
    client, infra = intake
    response = await post_import(client, org_files(employees=6))
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["applied"] is True
    assert len(report["changes"]["employees"]["new"]) == 6
    assert len(report["changes"]["processes"]["new"]) == 4

    await outbox_drained(infra.db)
    bootstrap = namespace.servers.kafka_bootstrap
    [structure] = await read_until(bootstrap, namespace.topic(topics.ORG_STRUCTURE), lambda r: r)
    body = json.loads(structure.value)
    loading = next(p for p in body["processes"] if p["process_id"] == "loading")
    assert (loading["upstream_ids"], loading["downstream_ids"]) == (["booking"], ["shipping"])
    assigned = await read_until(
        bootstrap, namespace.topic(topics.EMPLOYEE), lambda rs: len(rs) >= 6
    )
    stored = {d["_id"]: d async for d in infra.db["employees"].find()}
    assert {header(r, "ce_subject") for r in assigned} == set(stored)
    for record in assigned:
        assert b"nordwind.example" not in record.value and b"Vor" not in record.value
        assert b"1000" not in record.value  # personnel numbers stay in intake too
    managed = [json.loads(r.value) for r in assigned if json.loads(r.value)["manager_id"]]
    boss = next(k for k, d in stored.items() if d["personnel_number"] == "1000")
    assert len(managed) == 5 and {m["manager_id"] for m in managed} == {boss}


async def test_reimporting_the_same_files_changes_nothing(intake, namespace):
    client, infra = intake
    assert (await post_import(client, org_files())).status_code == 200
    await outbox_drained(infra.db)
    employee_topic = namespace.topic(topics.EMPLOYEE)
    published = await read_all(namespace.servers.kafka_bootstrap, employee_topic)
    assert published  # the first import announced its employees

    again = (await post_import(client, org_files())).json()
    assert again["applied"] is False
    assert all(
        not c["new"] and not c["changed"] and not c["removed"] for c in again["changes"].values()
    )
    await outbox_drained(infra.db)
    assert len(await read_all(namespace.servers.kafka_bootstrap, employee_topic)) == len(published)


async def test_a_changed_file_applies_only_the_differences(intake, namespace):
    client, infra = intake
    await post_import(client, org_files(employees=4))
    ids = {d["personnel_number"]: d["_id"] async for d in infra.db["employees"].find()}
    await outbox_drained(infra.db)
    employee_topic = namespace.topic(topics.EMPLOYEE)
    before = await read_all(namespace.servers.kafka_bootstrap, employee_topic)

    rows = employee_rows(5)  # 1004 joins
    rows[1] = rows[1].replace(";Nach1;", ";Neu1;")  # a new surname: no assignment change
    rows[2] = rows[2].replace(";hamburg;", ";gdansk;")  # 1002 moves site
    del rows[3]  # 1003 leaves
    files = {"employees": ("employees.csv", employees_csv(rows))}
    report = (await post_import(client, files)).json()

    changes = report["changes"]["employees"]
    assert (changes["new"], changes["changed"], changes["removed"]) == (
        ["1004"],
        ["1001", "1002"],
        ["1003"],
    )
    left = await infra.db["employees"].find_one({"personnel_number": "1003"})
    assert left["status"] == "left" and left["_id"] == ids["1003"]
    moved = await infra.db["employees"].find_one({"personnel_number": "1002"})
    assert moved["site_id"] == "gdansk" and moved["_id"] == ids["1002"]
    await outbox_drained(infra.db)
    after = await read_all(namespace.servers.kafka_bootstrap, employee_topic)
    joined = (await infra.db["employees"].find_one({"personnel_number": "1004"}))["_id"]
    new = {header(r, "ce_id"): header(r, "ce_subject") for r in after}
    for record in before:
        del new[header(record, "ce_id")]
    assert sorted(new.values()) == sorted([joined, ids["1002"], ids["1003"]])  # join, move, leave


async def test_problems_are_reported_per_line_and_nothing_is_written(intake):
    client, infra = intake
    rows = employee_rows(3)
    rows[1] = rows[1].replace(";hamburg;", ";hambrug;")
    rows.append(rows[0])  # duplicate personnel number 1000
    files = org_files() | {"employees": ("employees.csv", employees_csv(rows))}

    for dry_run in (True, False):
        response = await post_import(client, files, dry_run=dry_run)
        assert response.status_code == 422
        problems = response.json()["problems"]
        assert [(p["file"], p["line"], p["column"]) for p in problems] == [
            ("employees.csv", 3, "standort"),
            ("employees.csv", 5, "personalnummer"),
        ]
        assert "unknown site_id 'hambrug'" in problems[0]["reason"]
        assert "line 2" in problems[1]["reason"]
        assert response.json()["applied"] is False
    for collection in ("sites", "employees", "outbox"):
        assert await infra.db[collection].count_documents({}) == 0


async def test_a_file_in_the_wrong_encoding_is_refused_whole(intake):
    client, infra = intake
    files = {
        "sites": (
            "sites.csv",
            "site_id,name,country,language,time_zone\nkö,Köln,DE,de,Europe/Berlin\n".encode(
                "cp1252"
            ),
        )
    }
    response = await post_import(client, files)
    assert response.status_code == 422
    [problem] = response.json()["problems"]
    assert "not UTF-8" in problem["reason"]
    assert await infra.db["sites"].count_documents({}) == 0


async def test_no_files_and_oversized_requests_get_clear_4xx(intake):
    client, _ = intake
    empty = await client.post("/v1/org/import", headers=HR, files={})
    assert empty.status_code == 422
    huge = b"x" * (21 * 1024 * 1024)
    too_big = await client.post(
        "/v1/org/import", headers=HR, files={"sites": ("sites.csv", huge, "text/csv")}
    )
    assert too_big.status_code == 413
    assert "larger than" in too_big.json()["detail"]


async def test_contact_lookup_is_for_services_only(intake):
    client, infra = intake
    await post_import(client, org_files(employees=3))
    doc = await infra.db["employees"].find_one({"personnel_number": "1000"})
    path = f"/internal/v1/contacts/{doc['_id']}"

    contact = await client.get(path, headers=bearer("svc-notification", Role.SERVICE))
    assert contact.json() == {
        "employee_id": doc["_id"],
        "email": "person0@nordwind.example",
        "language": "en",
        "display_name": "Vor0 Nach0",
    }
    assert (await client.get(path, headers=bearer(doc["_id"]))).status_code == 403
    assert (await client.get(path)).status_code == 401
    unknown = await client.get(
        "/internal/v1/contacts/emp-nobody", headers=bearer("svc", Role.SERVICE)
    )
    assert unknown.status_code == 404


async def test_languages_of_many_employees_in_one_call(intake):
    client, infra = intake
    await post_import(client, org_files(employees=3))
    languages = {d["_id"]: d["language"] async for d in infra.db["employees"].find()}
    assert set(languages.values()) == {"de", "en"}  # the fixture mixes them
    service = bearer("svc-notification", Role.SERVICE)

    ids = [*languages, "emp-nobody"]
    asked = await client.post("/internal/v1/languages", json={"employee_ids": ids}, headers=service)
    assert asked.status_code == 200
    assert asked.json() == languages  # the unknown id is left out
    too_many = {"employee_ids": [f"e{i}" for i in range(1001)]}
    refused = await client.post("/internal/v1/languages", json=too_many, headers=service)
    assert refused.status_code == 422
    assert "1000" in refused.text
