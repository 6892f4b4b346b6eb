"""A company ready for employee input: Nordwind's organisation, a few competences of its
own, and a rollout, set up through intake's HTTP API as HR would."""

import httpx

from gegenstrom_runtime.auth import Role
from support.org_files import multipart, org_files
from support.tokens import bearer

HR = bearer("hr-1", Role.HR)
ROLLOUT_ID = "rollout-1"
COMPETENCES = {
    "kpi-reading": ("Kennzahlen lesen", "Reading KPIs", "method"),
    "spreadsheets": ("Tabellenkalkulation", "Spreadsheets", "tool"),
    "mobile-devices": ("Mobile Endgeräte", "Mobile devices", "tool"),
}
ROLLOUT = {
    "title": "Digitale Disposition",
    "strategic_lines": ["Ein Auftrag von der Buchung bis zur Rechnung"],
    "site_ids": ["hamburg", "gdansk"],
    "role_ids": ["dispatcher", "driver", "controller"],
    "waves": [
        {"site_id": "hamburg", "starts_on": "2027-03-01", "ends_on": "2027-04-30"},
        {"site_id": "gdansk", "starts_on": "2027-09-01"},
    ],
    "requirements": [
        {
            "requirement_id": "kpi",
            "title": "Kennzahlen-Interpretationsfähigkeit",
            "role_ids": ["dispatcher", "controller"],
        },
        {
            "requirement_id": "mobile",
            "title": "Sicherer Umgang mit mobilen Endgeräten",
            "role_ids": ["driver"],
        },
    ],
    "role_changes": [{"from_role_id": "dispatcher", "to_role_id": "controller"}],
}


async def seed_company(client: httpx.AsyncClient, employees: int = 6) -> dict[str, str]:
    """Set the company up; returns the pseudonymous id of each personnel number."""
    imported = await client.post(
        "/v1/org/import", files=multipart(org_files(employees)), headers=HR
    )
    assert imported.status_code == 200, imported.text
    for competence_id, (de, en, category) in COMPETENCES.items():
        body = {"labels": {"de": de, "en": en}, "category": category}
        response = await client.put(
            f"/v1/catalog/competences/{competence_id}", json=body, headers=HR
        )
        assert response.status_code in (200, 201), response.text
    response = await client.put(f"/v1/rollouts/{ROLLOUT_ID}", json=ROLLOUT, headers=HR)
    assert response.status_code in (200, 201), response.text
    listed = (await client.get("/v1/org/employees", headers=HR)).json()
    return {e["personnel_number"]: e["employee_id"] for e in listed}
