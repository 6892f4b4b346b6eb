"""Who may call what: every role against every protected endpoint, for their own and for
another employee's data, with a token for the data's site and for another site.

"allowed" means the access model let the request through (any answer but 401/403);
the endpoint itself may still answer 404 or 422 for the data given.
"""

from dataclasses import dataclass

import pytest

from gegenstrom_runtime.auth import Role
from support.company import ROLLOUT, seed_company
from support.factories import input_form
from support.org_files import multipart, org_files
from support.tokens import bearer

ALL = frozenset(Role)
MANAGEMENT = frozenset({Role.MANAGER, Role.HR, Role.ADMIN})
HR_ADMIN = frozenset({Role.HR, Role.ADMIN})
SITE, OTHER_SITE = "hamburg", "gdansk"  # the target employee works in Hamburg


@dataclass(frozen=True)
class Rule:
    method: str
    path: str
    others: frozenset[Role]  # roles that may act on someone else's data
    site_scoped: bool = False  # ...and only with a token for the data's site
    own: str = "same"  # own data: "same" as others, "any" role, "employee" role, "only" self
    body: dict | None = None


def rules(target: str, idea_id: str) -> dict[str, Rule]:
    req = "/v1/rollouts/rollout-1/requirements/kpi"
    hamburg_rollout = ROLLOUT | {"site_ids": [SITE], "waves": ROLLOUT["waves"][:1]}
    return {
        "import org": Rule(
            "POST",
            "/v1/org/import?dry_run=true",
            HR_ADMIN,
            body={"files": multipart({"sites": org_files()["sites"]})},
        ),
        "org structure": Rule("GET", "/v1/org/structure", ALL),
        "employee list": Rule("GET", "/v1/org/employees", HR_ADMIN),
        "employee record": Rule("GET", f"/v1/org/employees/{target}", HR_ADMIN, True, "any"),
        "contact lookup": Rule("GET", f"/internal/v1/contacts/{target}", frozenset({Role.SERVICE})),
        "language lookup": Rule(
            "POST",
            "/internal/v1/languages",
            frozenset({Role.SERVICE}),
            body={"json": {"employee_ids": [target]}},
        ),
        "esco import": Rule(
            "POST",
            "/v1/catalog/esco-import?dry_run=true",
            HR_ADMIN,
            body={"files": [("files", ("x_de.csv", b"a\n", "text/csv"))]},
        ),
        "put competence": Rule(
            "PUT",
            "/v1/catalog/competences/excel",
            HR_ADMIN,
            body={"json": {"labels": {"de": "Excel"}, "category": "tool"}},
        ),
        "list competences": Rule("GET", "/v1/catalog/competences", ALL),
        "scale": Rule("GET", "/v1/catalog/scale", ALL),
        "put rollout": Rule(
            "PUT", "/v1/rollouts/rollout-1", MANAGEMENT, True, body={"json": hamburg_rollout}
        ),
        "get rollout": Rule("GET", "/v1/rollouts/rollout-1", ALL),
        "my rollout": Rule("GET", "/v1/rollouts/rollout-1/me", ALL),
        "participation": Rule(
            "GET",
            "/v1/rollouts/rollout-1/participation",
            MANAGEMENT | {Role.WORKS_COUNCIL, Role.OPS},
        ),
        "put proposal": Rule(
            "PUT",
            f"{req}/proposals/{target}",
            frozenset(),
            own="employee",
            body={"json": {"items": [{"competence_id": "kpi-reading", "target_level": 3}]}},
        ),
        "read proposal": Rule("GET", f"{req}/proposals/{target}", HR_ADMIN, own="any"),
        "proposal summary": Rule("GET", f"{req}/proposals", HR_ADMIN),
        "confirm profile": Rule(
            "PUT",
            f"{req}/profile",
            HR_ADMIN,
            body={"json": {"items": [{"competence_id": "kpi-reading", "target_level": 3}]}},
        ),
        "read profile": Rule("GET", f"{req}/profile", ALL),
        "post idea": Rule(
            "POST",
            "/v1/rollouts/rollout-1/ideas",
            frozenset(),
            own="only",
            body={
                "json": {
                    "employee_id": target,
                    "kind": "automation",
                    "text": "Tablets statt Papier",
                }
            },
        ),
        "list ideas": Rule("GET", "/v1/rollouts/rollout-1/ideas", MANAGEMENT),
        "answer idea": Rule(
            "POST",
            f"/v1/ideas/{idea_id}/status",
            MANAGEMENT,
            True,
            body={"json": {"status": "under_discussion", "reason": "Prüfen wir"}},
        ),
        "submit input": Rule(
            "POST",
            "/v1/employee-inputs",
            frozenset({Role.ADMIN}),
            own="employee",
            body={"json": input_form(target)},
        ),
        "read input": Rule(
            "GET", f"/v1/rollouts/rollout-1/employee-inputs/{target}", MANAGEMENT, True, "any"
        ),
    }


def expected(rule: Rule, role: Role, own_site: bool, is_self: bool) -> bool:
    as_other = role in rule.others and (own_site or not rule.site_scoped)
    if not is_self:
        return as_other and rule.own != "only"
    return {
        "same": as_other,
        "any": True,
        "employee": role == Role.EMPLOYEE or as_other,
        "only": True,
    }[rule.own]


@pytest.fixture
async def target_and_idea(intake) -> tuple[str, str]:
    client, _ = intake
    ids = await seed_company(client)
    target = ids["1002"]  # a dispatcher in Hamburg
    idea = await client.post(
        "/v1/rollouts/rollout-1/ideas",
        headers=bearer(target),
        json={"employee_id": target, "kind": "process", "text": "Buchung direkt im Lager"},
    )
    assert idea.status_code == 201, idea.text
    return target, idea.json()["idea_id"]


async def test_authorization_matrix(intake, target_and_idea):
    client, _ = intake
    mismatches = []
    for name, rule in rules(*target_and_idea).items():
        kwargs = rule.body or {}
        assert (await client.request(rule.method, rule.path, **kwargs)).status_code == 401, name
        for role in Role:
            for own_site in (True, False):
                for is_self in (False, True):
                    subject = target_and_idea[0] if is_self else f"{role.value}-caller"
                    token = bearer(subject, role, (SITE,) if own_site else (OTHER_SITE,))
                    response = await client.request(rule.method, rule.path, headers=token, **kwargs)
                    allowed = response.status_code not in (401, 403)
                    if allowed != expected(rule, role, own_site, is_self):
                        mismatches.append(
                            (name, role.value, own_site, is_self, response.status_code)
                        )
    assert mismatches == [], "\n".join(map(str, mismatches))


async def test_denials_say_why(intake, target_and_idea):
    client, _ = intake
    target, _ = target_and_idea
    no_token = await client.get("/v1/org/structure")
    assert no_token.json()["detail"] == "not authenticated: missing bearer token"
    assert no_token.headers["www-authenticate"] == "Bearer"
    bad = await client.get("/v1/org/structure", headers={"Authorization": "Bearer x.y.z"})
    assert bad.status_code == 401 and "token is invalid" in bad.json()["detail"]
    other_site = await client.get(
        f"/v1/org/employees/{target}", headers=bearer("hr-2", Role.HR, (OTHER_SITE,))
    )
    assert other_site.json()["detail"] == f"forbidden: token does not cover site {SITE}"
