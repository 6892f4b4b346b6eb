"""Who may call what: every role against every protected endpoint, own and other site.

"allowed" means the access model let the request through (any answer but 401/403);
the endpoint itself may still answer 404 or 422 for the data given.
"""

import pytest

from gegenstrom_runtime.auth import Role
from support.factories import input_form
from support.org_files import multipart, org_files
from support.tokens import bearer

ALL = set(Role)
SITE = "hamburg"  # the target employee works here
OTHER_SITE = "gdansk"


def endpoints(target: str) -> dict[str, tuple[str, str, dict, set[Role], bool]]:
    """name -> (method, path, request kwargs, roles allowed for others' data, site-scoped)."""
    sites_csv = org_files()["sites"]
    return {
        "import org": (
            "POST",
            "/v1/org/import?dry_run=true",
            {"files": multipart({"sites": sites_csv})},
            {Role.HR, Role.ADMIN},
            False,
        ),
        "org structure": ("GET", "/v1/org/structure", {}, ALL, False),
        "employee record": ("GET", f"/v1/org/employees/{target}", {}, {Role.HR, Role.ADMIN}, True),
        "contact lookup": ("GET", f"/internal/v1/contacts/{target}", {}, {Role.SERVICE}, False),
        "esco import": (
            "POST",
            "/v1/catalog/esco-import?dry_run=true",
            {"files": [("files", ("x_de.csv", b"a\n", "text/csv"))]},
            {Role.HR, Role.ADMIN},
            False,
        ),
        "put competence": (
            "PUT",
            "/v1/catalog/competences/excel",
            {"json": {"labels": {"de": "Excel"}, "category": "tool"}},
            {Role.HR, Role.ADMIN},
            False,
        ),
        "list competences": ("GET", "/v1/catalog/competences", {}, ALL, False),
        "scale": ("GET", "/v1/catalog/scale", {}, ALL, False),
        "submit input": (
            "POST",
            "/v1/employee-inputs",
            {"json": input_form(target, site_id=SITE)},
            {Role.ADMIN},
            False,
        ),
        "read input": (
            "GET",
            f"/v1/rollouts/r/employee-inputs/{target}",
            {},
            {Role.HR, Role.ADMIN},
            False,
        ),
    }


SELF_SERVICE = {"employee record", "submit input", "read input"}  # an employee's own data


def expected(name: str, role: Role, own_site: bool, is_self: bool, rule) -> bool:
    _, _, _, roles, site_scoped = rule
    if is_self and name in SELF_SERVICE:
        return role in roles or role == Role.EMPLOYEE or name != "submit input"
    return role in roles and (own_site or not site_scoped)


@pytest.fixture
async def target(intake) -> str:
    client, infra = intake
    files = org_files(employees=3)
    response = await client.post(
        "/v1/org/import", files=multipart(files), headers=bearer("a", Role.ADMIN)
    )
    assert response.status_code == 200
    doc = await infra.db["employees"].find_one({"site_id": SITE})
    return doc["_id"]


async def test_authorization_matrix(intake, target):
    client, _ = intake
    mismatches = []
    for name, rule in endpoints(target).items():
        method, path, kwargs, _, _ = rule
        assert (await client.request(method, path, **kwargs)).status_code == 401, name
        for role in Role:
            for own_site in (True, False):
                for is_self in (False, True):
                    subject = target if is_self else f"{role.value}-caller"
                    sites = (SITE,) if own_site else (OTHER_SITE,)
                    response = await client.request(
                        method, path, headers=bearer(subject, role, sites), **kwargs
                    )
                    allowed = response.status_code not in (401, 403)
                    if allowed != expected(name, role, own_site, is_self, rule):
                        mismatches.append(
                            (name, role.value, own_site, is_self, response.status_code)
                        )
    assert mismatches == [], "\n".join(map(str, mismatches))


async def test_denials_say_why(intake, target):
    client, _ = intake
    no_token = await client.get("/v1/org/structure")
    assert no_token.json()["detail"] == "not authenticated: missing bearer token"
    assert no_token.headers["www-authenticate"] == "Bearer"
    bad = await client.get("/v1/org/structure", headers={"Authorization": "Bearer x.y.z"})
    assert bad.status_code == 401 and "token is invalid" in bad.json()["detail"]
    other_site = await client.get(
        f"/v1/org/employees/{target}", headers=bearer("hr-2", Role.HR, (OTHER_SITE,))
    )
    assert other_site.json()["detail"] == f"forbidden: token does not cover site {SITE}"
