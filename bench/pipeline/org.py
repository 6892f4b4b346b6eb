"""A synthetic multi-site organisation built from the demo company's roles, processes,
competences and requirements, at any size, deterministic for a seed.

Employees are kept as small tuples; inputs are generated one at a time (each employee
has a random generator of its own), so 100,000 employees fit comfortably in memory.
"""

import csv
import io
import random
from collections.abc import Iterator
from typing import NamedTuple

from gegenstrom_cli import demo_data as demo

ROLLOUT_ID = "bench-rollout"
COUNTRIES = [("DE", "de", "Europe/Berlin"), ("CZ", "en", "Europe/Prague"),
             ("PL", "en", "Europe/Warsaw"), ("AT", "de", "Europe/Vienna")]  # fmt: skip
ROLES = [r for r in demo.RATINGS if r in demo.IN_ROLLOUT and r != "teamleitung"]
WEIGHTS = [40 if r == demo.WORKERS else 8 for r in ROLES]
DEPARTMENT_OF = {
    "sachbearbeitung-auftragsannahme": "auftragsannahme",
    "arbeitsvorbereitung": "arbeitsvorbereitung",
    "schichtleitung": "fertigung",
    "maschinenbedienung": "fertigung",
    "qualitaetspruefung": "qualitaetssicherung",
    "logistik": "versand",
    "controller": "fakturierung-controlling",
}
MENTORED = ("sap-s4-co-pa", "excel-analysis", "project-basics")
EMPLOYEE_COLUMNS = ["personnel_number", "first_name", "last_name", "email", "language",
                    "site_id", "department_id", "role_id", "process_id",
                    "manager_personnel_number"]  # fmt: skip


class Employee(NamedTuple):
    number: str
    site_id: str
    role_id: str
    department_id: str
    manager: str


class Organisation:
    """``sites`` sites sharing ``employees`` employees (sizes vary by site)."""

    def __init__(self, sites: int, employees: int, seed: int) -> None:
        self.seed = seed
        self.site_ids = [f"site-{i:03d}" for i in range(sites)]
        self.employees = list(self._people(employees))

    def _people(self, total: int) -> Iterator[Employee]:
        rng = random.Random(self.seed)
        weights = [rng.uniform(0.3, 1.7) for _ in self.site_ids]
        sizes = [max(len(demo.PROCESSES) + 1, int(total * w / sum(weights))) for w in weights]
        sizes[0] = max(len(demo.PROCESSES) + 1, sizes[0] + total - sum(sizes))
        number = 0
        for site_id, size in zip(self.site_ids, sizes, strict=True):
            leads = {}
            for department in demo.PROCESSES:
                number += 1
                leads[department] = f"P{number:07d}"
                yield Employee(leads[department], site_id, "teamleitung", department, "")
            for role in rng.choices(ROLES, WEIGHTS, k=size - len(demo.PROCESSES)):
                number += 1
                department = DEPARTMENT_OF[role]
                yield Employee(f"P{number:07d}", site_id, role, department, leads[department])

    def org_files(self, employees: int | None = None) -> dict[str, tuple[str, bytes, str]]:
        """The multipart fields of POST /v1/org/import, with the first ``employees`` only
        (every site's team leads come before the site's other employees)."""
        upstream = dict(zip(list(demo.PROCESSES)[1:], demo.PROCESSES, strict=False))
        sites = [[s, f"Werk {i}", *COUNTRIES[i % len(COUNTRIES)]]
                 for i, s in enumerate(self.site_ids)]  # fmt: skip
        texts = {
            "sites": _csv(["site_id", "name", "country", "language", "time_zone"], sites),
            "departments": _csv(["department_id", "name", "site_id"],
                                [[i, n, ""] for i, n in demo.DEPARTMENTS.items()]),
            "processes": _csv(["process_id", "name", "upstream"],
                              [[i, n, upstream.get(i, "")] for i, n in demo.PROCESSES.items()]),
            "roles": _csv(["role_id", "name"], [list(item) for item in demo.ROLES.items()]),
            "employees": _csv(EMPLOYEE_COLUMNS, [_row(e) for e in self.employees[:employees]]),
        }  # fmt: skip
        return {k: (f"{k}.csv", text.encode(), "text/csv") for k, text in texts.items()}

    def rollout(self) -> dict:
        """Body of PUT /v1/rollouts/{ROLLOUT_ID}: every site, one wave each."""
        waves = [{"site_id": s, "starts_on": f"2027-{1 + i % 12:02d}-01"}
                 for i, s in enumerate(self.site_ids)]  # fmt: skip
        return demo.rollout() | {
            "title": "Benchmark rollout",
            "site_ids": self.site_ids,
            "waves": waves,
        }

    def offers_csv(self, ids: dict[str, str]) -> bytes:
        """Workshops per site (a colleague trains), circles for all, external courses."""
        trainers: dict[tuple[str, str], str] = {}
        for e in self.employees:
            trainers.setdefault((e.site_id, e.role_id), ids[e.number])
        everywhere = " | ".join(self.site_ids)
        rows = [[*r[:7], everywhere if r[7] else "", *r[8:]]
                for r in demo.OFFERS if r[1] != "internal_workshop"]  # fmt: skip
        for site in self.site_ids:
            lead = trainers[(site, "teamleitung")]  # every site has team leads
            excel_trainer = trainers.get((site, "controller"), lead)
            tablet_trainer = trainers.get((site, "schichtleitung"), lead)
            rows += [
                _workshop(site, "excel", "excel-analysis", 3, excel_trainer),
                _workshop(site, "tablet", "mobile-devices-production", 2, tablet_trainer),
            ]
        header = [c if c != "trainer" else "trainer_id" for c in demo.OFFER_COLUMNS]
        return _csv(header, [[str(v) for v in row] for row in rows]).encode()

    def inputs(self, ids: dict[str, str]) -> Iterator[dict]:
        """Every employee's POST /v1/employee-inputs body, would-be mentors first."""
        for mentors_pass in (True, False):
            for index, e in enumerate(self.employees):
                body = self.input_of(index, e, ids[e.number])
                if (body["mentoring_offer"] is not None) == mentors_pass:
                    yield body

    def input_of(self, index: int, e: Employee, employee_id: str) -> dict:
        rng = random.Random(self.seed * 1_000_003 + index)
        ratings = _ratings(rng, e.role_id)
        targets = demo._targets(e.role_id)
        if all(ratings.get(c, 0) >= t for c, t in targets.items()):
            first = sorted(targets)[0]  # everyone in the benchmark has something to learn
            ratings[first] = targets[first] - 1
        wishes = [{"competence_id": c, "target_level": t} for c, t in targets.items()
                  if ratings.get(c, 0) < t and rng.random() < 0.7]  # fmt: skip
        tools, tasks, qualification = (p.strip() for p in demo.WORK[e.role_id].split("|"))
        return {
            "employee_id": employee_id,
            "rollout_id": ROLLOUT_ID,
            "site_id": e.site_id,
            "department_id": e.department_id,
            "role_id": e.role_id,
            "process_step_id": e.department_id,
            "tool_ids": tools.split(),
            "self_ratings": [{"competence_id": c, "level": v} for c, v in ratings.items()],
            "learning_wishes": wishes,
            "mentoring_offer": _mentoring(rng, ratings),
            "released_to_manager": rng.choice(demo.RELEASES),
            "tasks": tasks.split("; "),
            "background": f"Seit {rng.randint(1, 30)} Jahren im Werk {e.site_id}.",
            "qualifications": [qualification],
            "experience": f"{rng.randint(1, 20)} Jahre als {demo.ROLES[e.role_id]}.",
        }


def _row(e: Employee) -> list[str]:
    language = COUNTRIES[int(e.site_id.removeprefix("site-")) % len(COUNTRIES)][1]
    email = f"{e.number.lower()}@bench.example"
    return [e.number, "Vorname", f"Nachname{e.number[1:]}", email, language, e.site_id,
            e.department_id, e.role_id, e.department_id, e.manager]  # fmt: skip


def _ratings(rng: random.Random, role_id: str) -> dict[str, int]:
    """Self-rated levels plausible for the role (the demo company's ranges)."""
    ratings = {}
    for short, levels in (part.split() for part in demo.RATINGS[role_id].split(", ")):
        low, high = levels.split("-")
        ratings[demo.SHORT[short]] = rng.randint(int(low), int(high))
    return ratings


def _mentoring(rng: random.Random, ratings: dict[str, int]) -> dict | None:
    """Experts (level 3 or more in a mentored competence) offer to mentor, one in three."""
    strong = [c for c in MENTORED if ratings.get(c, 0) >= 3]
    if strong and rng.random() < 0.33:
        return {"competence_ids": strong, "capacity": rng.choice([2, 3])}
    return None


def _workshop(site: str, name: str, competence: str, level: int, trainer: str) -> list:
    return [f"{name}-workshop-{site}", "internal_workshop", f"{name} workshop {site}",
            competence, level, 8, 0, site, "no", 4, 12, 4, trainer, "", "2027-04-12",
            ""]  # fmt: skip


def _csv(header: list[str], rows: list[list]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([header, *rows])
    return out.getvalue()
