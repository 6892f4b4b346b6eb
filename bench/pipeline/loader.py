"""The organisation, catalog, rollout, confirmed profiles and offers, through the services'
HTTP APIs as HR and management would load them."""

from collections.abc import Callable

import httpx

from gegenstrom_cli import demo_data as demo
from gegenstrom_runtime.auth import Role, TokenIssuer
from pipeline.org import ROLLOUT_ID, Organisation
from pipeline.services import SECRET

ISSUER = TokenIssuer(SECRET)
PAGE = 5000
# New employees per HR import. One import is one MongoDB transaction, and a statement that
# writes 100,000 employees outlives the server's transaction lifetime (60 s).
IMPORT_STEP = 10_000


def token(subject: str, role: Role) -> dict[str, str]:
    return {"Authorization": f"Bearer {ISSUER.mint(subject, role)}"}


HR = token("bench-hr", Role.HR)
ADMIN = token("bench-admin", Role.ADMIN)


def load(
    org: Organisation, intake: str, training_match: str, settle: Callable[[], None]
) -> dict[str, str]:
    """Load everything but the inputs; returns personnel number -> pseudonymous id.
    ``settle`` waits until the services have taken in what was loaded so far."""
    with httpx.Client(base_url=intake, timeout=3600) as client:
        _import_org(client, org, settle)
        for competence_id, body in demo.COMPANY_COMPETENCES.items():
            _ok(client.put(f"/v1/catalog/competences/{competence_id}", json=body, headers=HR))
        _ok(client.put(f"/v1/rollouts/{ROLLOUT_ID}", json=org.rollout(), headers=ADMIN))
        base = f"/v1/rollouts/{ROLLOUT_ID}/requirements"
        for requirement_id, body in demo.confirmed_profiles().items():
            _ok(client.put(f"{base}/{requirement_id}/profile", json=body, headers=HR))
        ids = _employee_ids(client)
    files = {"offers": ("offers.csv", org.offers_csv(ids), "text/csv")}
    _ok(httpx.post(f"{training_match}/v1/offers/import", files=files, headers=HR, timeout=600))
    return ids


def _import_org(client: httpx.Client, org: Organisation, settle: Callable[[], None]) -> None:
    """Growing prefixes of the employee file (a file is the whole company: who is missing
    has left), each step taken in by every service before the next."""
    total = len(org.employees)
    for employees in range(min(IMPORT_STEP, total), total + IMPORT_STEP, IMPORT_STEP):
        _ok(client.post("/v1/org/import", files=org.org_files(min(employees, total)), headers=HR))
        settle()


def _employee_ids(client: httpx.Client) -> dict[str, str]:
    ids: dict[str, str] = {}
    while True:
        page = _ok(client.get("/v1/org/employees", params={"limit": PAGE, "skip": len(ids)},
                              headers=HR))  # fmt: skip
        ids.update((e["personnel_number"], e["employee_id"]) for e in page)
        if len(page) < PAGE:
            return ids


def _ok(response: httpx.Response):
    if response.status_code >= 300:
        raise SystemExit(f"{response.request.method} {response.request.url}: "
                         f"{response.status_code} {response.text[:2000]}")  # fmt: skip
    return response.json() if response.content else None
