"""The demo company Siegtal Präzisionsteile GmbH as HR files and API bodies.

Pure and deterministic: no I/O, a fixed seed, the same bytes on every call.
"""

import csv
import io
import random
import unicodedata
from dataclasses import dataclass
from functools import cache

SEED = 2026
DOMAIN = "siegtal.example"
SITES: dict[str, dict] = {
    "siegen": {"name": "Siegen", "country": "DE", "language": "de",
               "time_zone": "Europe/Berlin", "employees": 380},
    "olpe": {"name": "Olpe", "country": "DE", "language": "de",
             "time_zone": "Europe/Berlin", "employees": 190},
    "brno": {"name": "Brno", "country": "CZ", "language": "en",
             "time_zone": "Europe/Prague", "employees": 70},
}  # fmt: skip
PROCESSES = {
    "auftragsannahme": "Auftragsannahme",
    "arbeitsvorbereitung": "Arbeitsvorbereitung",
    "fertigung": "Fertigung",
    "qualitaetssicherung": "Qualitätssicherung",
    "versand": "Versand",
    "fakturierung-controlling": "Fakturierung und Controlling",
}
DEPARTMENTS = {**PROCESSES, "personal": "Personal"}
ROLES = {
    "sachbearbeitung-auftragsannahme": "Sachbearbeiter/in Auftragsannahme",
    "arbeitsvorbereitung": "Arbeitsvorbereiter/in",
    "schichtleitung": "Schichtleiter/in",
    "maschinenbedienung": "Maschinenbediener/in",
    "maschinenbedienung-tablet": "Maschinenbediener/in mit Tablet-Rückmeldung",
    "qualitaetspruefung": "Qualitätsprüfer/in",
    "logistik": "Logistiker/in",
    "controller": "Controller/in",
    "teamleitung": "Teamleiter/in",
    "personalentwicklung": "Personalentwickler/in",
    "betriebsrat": "Betriebsrat",
}
WORKERS = "maschinenbedienung"  # fills each site up to its head count
LEADS = ("teamleitung", "schichtleitung")
WITHOUT_PROCESS = ("personalentwicklung", "betriebsrat")
_AA, _AV, _FE, _QS, _VS, _FC = PROCESSES
# site -> (department, role, count); WORKERS' count is what the site needs to reach its total
STAFF: dict[str, list[tuple[str, str, int]]] = {
    "siegen": [
        (_AA, "teamleitung", 1), (_AA, "sachbearbeitung-auftragsannahme", 14),
        (_AV, "teamleitung", 1), (_AV, "arbeitsvorbereitung", 12),
        (_FE, "teamleitung", 2), (_FE, "schichtleitung", 9), (_FE, WORKERS, 0),
        (_QS, "teamleitung", 1), (_QS, "qualitaetspruefung", 18),
        (_VS, "teamleitung", 1), (_VS, "logistik", 20),
        (_FC, "teamleitung", 1), (_FC, "controller", 6),
        ("personal", "teamleitung", 1), ("personal", "personalentwicklung", 4),
        (_FE, "betriebsrat", 7),
    ],
    "olpe": [
        (_AA, "teamleitung", 1), (_AA, "sachbearbeitung-auftragsannahme", 4),
        (_AV, "teamleitung", 1), (_AV, "arbeitsvorbereitung", 5),
        (_FE, "teamleitung", 1), (_FE, "schichtleitung", 5), (_FE, WORKERS, 0),
        (_QS, "teamleitung", 1), (_QS, "qualitaetspruefung", 8),
        (_VS, "teamleitung", 1), (_VS, "logistik", 22),
        (_FC, "teamleitung", 1), (_FC, "controller", 2),
        ("personal", "teamleitung", 1), ("personal", "personalentwicklung", 2),
        (_FE, "betriebsrat", 3),
    ],
    "brno": [
        (_AV, "teamleitung", 1), (_AV, "arbeitsvorbereitung", 2),
        (_FE, "teamleitung", 1), (_FE, "schichtleitung", 3), (_FE, WORKERS, 0),
        (_QS, "teamleitung", 1), (_QS, "qualitaetspruefung", 4),
        (_VS, "teamleitung", 1), (_VS, "logistik", 5),
        ("personal", "personalentwicklung", 2), (_FE, "betriebsrat", 2),
    ],
}  # fmt: skip
# per country: male and female first names, last names ("male/female" where they differ)
NAMES = {
    "DE": (
        "Andreas Thomas Michael Stefan Markus Jens Tobias Lukas Jonas Felix Jürgen Uwe Dirk "
        "Sven Matthias Björn Kai Timo Mehmet Dominik Jörg Christian Daniel Niklas",
        "Sabine Petra Claudia Anja Katrin Julia Laura Lena Sarah Melanie Nicole Sandra Jana "
        "Sophie Jessica Birgit Monika Ayşe Heike Ines Nadine Carina Hülya Marie",
        "Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Schäfer "
        "Koch Bauer Richter Klein Wolf Schröder Neumann Schwarz Zimmermann Braun Krüger "
        "Hartmann Lange Schmitt Werner Krause Weiß Jung Vogel Keller Dreisbach Irle Stötzel "
        "Böcking Jüngst Kölsch Heide Demir Nowak",
    ),
    "CZ": (
        "Jan Petr Tomáš Martin Jakub Lukáš Pavel Ondřej Jiří David Michal Karel",
        "Jana Petra Lucie Kateřina Tereza Veronika Eva Markéta Barbora Alena Hana Zuzana",
        "Novák/Nováková Svoboda/Svobodová Dvořák/Dvořáková Černý/Černá Procházka/Procházková "
        "Kučera/Kučerová Veselý/Veselá Horák/Horáková Němec/Němcová Pokorný/Pokorná "
        "Marek/Marková Pospíšil/Pospíšilová Král/Králová Beneš/Benešová",
    ),
}


@dataclass(frozen=True)
class Person:
    personnel_number: str
    first_name: str
    last_name: str
    email: str
    language: str
    site_id: str
    department_id: str
    role_id: str
    process_id: str
    manager: str


def _competence(category: str, de: str, en: str, about_de: str, about_en: str) -> dict:
    """One body for PUT /v1/catalog/competences/{id}."""
    return {
        "labels": {"de": de, "en": en},
        "descriptions": {"de": about_de, "en": about_en},
        "category": category,
        "parent_ids": [],
    }


COMPANY_COMPETENCES: dict[str, dict] = {
    "sap-s4-co-pa": _competence(
        "tool", "SAP S/4HANA CO-PA Reporting", "SAP S/4HANA CO-PA reporting",
        "Ergebnis- und Marktsegmentrechnung in SAP S/4HANA auswerten und Berichte anpassen.",
        "Analyse profitability in SAP S/4HANA and adapt its reports.",
    ),
    "excel-analysis": _competence(
        "tool", "Excel-Auswertungen", "Excel analysis",
        "Pivot-Tabellen, XVERWEIS und Power Query für Auswertungen nutzen.",
        "Use pivot tables, XLOOKUP and Power Query for analyses.",
    ),
    "process-exchange": _competence(
        "process", "Austausch entlang der Prozesskette", "Exchange along the process chain",
        "Austausch mit vor- und nachgelagerten Prozesskolleg/innen: Anforderungen, "
        "Erfahrungen, gegenseitige Unterstützung.",
        "Exchange with upstream and downstream colleagues: needs, experience, support.",
    ),
    "conversation-conflict": _competence(
        "social", "Gesprächsführung und Konfliktlösung", "Conversation and conflict resolution",
        "Gespräche strukturiert führen und Konflikte im Team lösen.",
        "Lead conversations in a structured way and resolve conflicts in the team.",
    ),
    "project-basics": _competence(
        "method", "Projektmanagement-Grundlagen", "Project management basics",
        "Ziele, Aufgaben, Termine und Risiken eines kleinen Projekts planen und verfolgen.",
        "Plan and track goals, tasks, deadlines and risks of a small project.",
    ),
    "mobile-devices-production": _competence(
        "tool", "Mobile Endgeräte in der Fertigung", "Mobile devices in production",
        "Sicherer Umgang mit Tablets und mobilen Endgeräten an der Maschine.",
        "Safe use of tablets and mobile devices on the shop floor.",
    ),
    "order-to-cash-understanding": _competence(
        "process", "Prozessverständnis Order-to-Cash", "Order-to-cash understanding",
        "Prozessverständnis über Abteilungsgrenzen: vom Auftrag bis zur Rechnung.",
        "Understanding of the process across departments, from order to invoice.",
    ),
}  # fmt: skip
KPI_ITEMS = ("sap-s4-co-pa", "excel-analysis", "process-exchange", "conversation-conflict",
             "project-basics")  # fmt: skip
SHORT = {"sap": "sap-s4-co-pa", "xls": "excel-analysis", "exch": "process-exchange",
         "talk": "conversation-conflict", "pm": "project-basics",
         "tab": "mobile-devices-production", "o2c": "order-to-cash-understanding"}  # fmt: skip
KPI_EXAMPLE_EMPLOYEE = "S0001"  # Teamleiter/in Auftragsannahme in Siegen, new to all five
ROLLOUT_ID = "s4hana-auftragsabwicklung"


def _ascii(text: str) -> str:
    """Lower-case ASCII for an e-mail address: umlauts spelled out, accents dropped."""
    text = text.lower().replace("ä", "ae").replace("ö", "oe").replace("ü", "ue")
    text = unicodedata.normalize("NFKD", text.replace("ß", "ss"))
    return "".join(c for c in text if c.isascii() and c.isalnum())


def _name(rng: random.Random, country: str) -> tuple[str, str]:
    """A first and last name of one gender from the country's lists."""
    male, female, last_names = NAMES[country]
    is_female = rng.random() < 0.4
    last_male, _, last_female = rng.choice(last_names.split()).partition("/")
    first = rng.choice((female if is_female else male).split())
    return first, (last_female or last_male) if is_female else last_male


def _language(rng: random.Random, site_id: str) -> str:
    """The site's working language; some people in Brno prefer Czech."""
    if site_id == "brno" and rng.random() < 0.25:
        return "cs"
    return str(SITES[site_id]["language"])


def _slots(site_id: str) -> list[tuple[str, str]]:
    """(department, role) for each person of a site, leads first within their groups."""
    fixed = sum(count for _, role, count in STAFF[site_id] if role != WORKERS)
    workers = SITES[site_id]["employees"] - fixed
    return [
        (department, role)
        for department, role, count in STAFF[site_id]
        for _ in range(workers if role == WORKERS else count)
    ]


def _manager(rng: random.Random, slot: tuple[str, str], leads: dict) -> str:
    """A shift lead for workers, a team lead for the others; none for the top and the council."""
    department, role = slot
    if role in ("teamleitung", "betriebsrat"):
        return ""
    wanted = "schichtleitung" if role == WORKERS else "teamleitung"
    candidates = leads.get((department, wanted), [])
    return rng.choice(candidates) if candidates else ""


@cache
def _people() -> tuple[Person, ...]:
    """All 640 employees, site by site."""
    rng = random.Random(SEED)
    people: list[Person] = []
    for site_id, site in SITES.items():
        leads: dict[tuple[str, str], list[str]] = {}
        for i, slot in enumerate(_slots(site_id), start=1):
            number = f"{site_id[0].upper()}{i:04d}"
            first, last = _name(rng, site["country"])
            email = f"{_ascii(first)}.{_ascii(last)}.{len(people) + 1}@{DOMAIN}"
            department, role = slot
            process = "" if role in WITHOUT_PROCESS or department not in PROCESSES else department
            manager = _manager(rng, slot, leads)
            people.append(Person(number, first, last, email, _language(rng, site_id), site_id,
                                 department, role, process, manager))  # fmt: skip
            if role in LEADS:
                leads.setdefault(slot, []).append(number)
    return tuple(people)


def _csv(header: list[str], rows: list[list[str]], delimiter: str = ",") -> str:
    """CSV text with a header line."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerows([header, *rows])
    return out.getvalue()


EMPLOYEE_HEADER = (
    "Personalnummer;Vorname;Nachname;E-Mail;Sprache;Standort;Abteilung;Rolle;Prozessschritt;"
    "Vorgesetzter"
)


def org_csvs() -> dict[str, tuple[str, bytes]]:
    """kind -> (file name, UTF-8 bytes) of the HR import, the employees as a German export."""
    upstream = dict(zip(list(PROCESSES)[1:], PROCESSES, strict=False))
    texts = {
        "sites": _csv(["site_id", "name", "country", "language", "time_zone"],
                      [[i, s["name"], s["country"], s["language"], s["time_zone"]]
                       for i, s in SITES.items()]),
        "departments": _csv(["department_id", "name", "site_id"],
                            [[i, name, ""] for i, name in DEPARTMENTS.items()]),
        "processes": _csv(["process_id", "name", "upstream"],
                          [[i, name, upstream.get(i, "")] for i, name in PROCESSES.items()]),
        "roles": _csv(["role_id", "name"], [list(item) for item in ROLES.items()]),
    }  # fmt: skip
    files = {kind: (f"{kind}.csv", text.encode()) for kind, text in texts.items()}
    rows = [list(vars(person).values()) for person in _people()]
    employees = "\ufeff" + _csv(EMPLOYEE_HEADER.split(";"), rows, delimiter=";")
    files["employees"] = ("employees-hr-export-2026.csv", employees.encode())
    return files


def _requirement(requirement_id: str, title: str, about: str, role_ids: list[str]) -> dict:
    """An abstract requirement of the rollout, for every process of the chain."""
    return {
        "requirement_id": requirement_id,
        "title": title,
        "description": about,
        "role_ids": role_ids,
        "process_ids": [],
    }


IN_ROLLOUT = [role for role in ROLES if role not in WITHOUT_PROCESS]
REQUIREMENTS = [
    _requirement(
        "kpi-interpretation", "Kennzahlen-Interpretationsfähigkeit",
        "Kennzahlen aus SAP S/4HANA lesen, einordnen und daraus Maßnahmen ableiten.",
        ["arbeitsvorbereitung", "schichtleitung", "controller", "teamleitung"],
    ),
    _requirement(
        "mobile-devices", "Sicherer Umgang mit mobilen Endgeräten in der Fertigung",
        "Rückmeldungen und Laufkarten am Tablet statt auf Papier.",
        ["maschinenbedienung", "maschinenbedienung-tablet", "schichtleitung"],
    ),
    _requirement(
        "process-understanding", "Prozessverständnis über die Abteilungsgrenzen",
        "Wissen, was vor- und nachgelagerte Schritte vom eigenen Arbeitsergebnis brauchen.",
        IN_ROLLOUT,
    ),
]  # fmt: skip


def rollout() -> dict:
    """Body for PUT /v1/rollouts/{ROLLOUT_ID}: the strategy top down."""
    waves = [("olpe", "2027-03-01", "2027-03-31"), ("siegen", "2027-05-03", "2027-05-31"),
             ("brno", "2027-09-01", "2027-09-30")]  # fmt: skip
    return {
        "title": "Digitale Auftragsabwicklung mit SAP S/4HANA",
        "strategic_lines": [
            "Ein durchgängiger Auftragsdatensatz von der Auftragsannahme bis zur Rechnung",
            "Kennzahlen für jeden Prozessschritt sichtbar",
            "Papier-Laufkarten in der Fertigung durch Tablets ersetzt",
        ],
        "site_ids": list(SITES),
        "department_ids": [],
        "process_ids": list(PROCESSES),
        "role_ids": list(IN_ROLLOUT),
        "waves": [{"site_id": s, "starts_on": a, "ends_on": b} for s, a, b in waves],
        "requirements": [dict(r, role_ids=list(r["role_ids"])) for r in REQUIREMENTS],
        "role_changes": [{"from_role_id": WORKERS, "to_role_id": "maschinenbedienung-tablet"}],
    }


def _first(site_id: str, role_id: str, nth: int = 0) -> str:
    """The personnel number of the nth person with a role at a site."""
    people = [p for p in _people() if p.site_id == site_id and p.role_id == role_id]
    return people[nth].personnel_number


def _items(levels: str) -> dict:
    """A proposal body from "short-id level, ..." (see SHORT)."""
    pairs = (part.split() for part in levels.split(", "))
    return {"items": [{"competence_id": SHORT[c], "target_level": int(t)} for c, t in pairs]}


def proposals() -> list[tuple[str, str, dict]]:
    """(requirement, personnel number, body): what employees propose for the requirements."""
    kpi, mobile, chain = (r["requirement_id"] for r in REQUIREMENTS)
    return [
        (kpi, _first("siegen", "controller"), _items("sap 4, xls 3, exch 2, pm 2")),
        (kpi, _first("siegen", "schichtleitung"), _items("xls 2, exch 3, talk 2, sap 2")),
        (kpi, _first("olpe", "arbeitsvorbereitung"), _items("sap 3, xls 3, exch 2, pm 1")),
        (kpi, _first("olpe", "teamleitung"), _items("talk 3, pm 2, xls 3")),
        (mobile, _first("olpe", WORKERS), _items("tab 2")),
        (mobile, _first("siegen", "schichtleitung", 1), _items("tab 3")),
        (chain, _first("siegen", "logistik"), _items("o2c 2, exch 2")),
        (chain, _first("olpe", "sachbearbeitung-auftragsannahme"), _items("o2c 3")),
    ]


def confirmed_profiles() -> dict[str, dict]:
    """requirement -> body for PUT .../profile: the profiles HR confirmed with the employees."""
    profiles = {
        "kpi-interpretation": [("sap-s4-co-pa", 3, True), ("excel-analysis", 3, True),
                               ("process-exchange", 2, False),
                               ("conversation-conflict", 2, False), ("project-basics", 2, False)],
        "mobile-devices": [("mobile-devices-production", 2, True)],
        "process-understanding": [("order-to-cash-understanding", 2, True),
                                  ("process-exchange", 2, True)],
    }  # fmt: skip
    return {
        requirement: {"items": [{"competence_id": c, "target_level": t, "essential": e}
                                for c, t, e in items]}
        for requirement, items in profiles.items()
    }  # fmt: skip


# role -> self-rated levels (lowest-highest) by short competence id (see SHORT)
RATINGS = {
    "controller": "sap 3-4, xls 3-4, exch 1-3, talk 1-2, pm 1-3, o2c 2-3",
    "teamleitung": "sap 0-2, xls 1-3, exch 1-3, talk 1-3, pm 1-2, o2c 1-3",
    "schichtleitung": "sap 0-1, xls 1-2, exch 1-2, talk 1-2, pm 0-1, tab 1-2, o2c 1-2",
    "arbeitsvorbereitung": "sap 0-2, xls 2-3, exch 1-3, talk 1-2, pm 0-2, o2c 1-2",
    WORKERS: "tab 0-2, o2c 0-1, exch 0-1",
    "qualitaetspruefung": "tab 1-2, xls 0-2, o2c 1-2, exch 1-2",
    "logistik": "xls 0-2, tab 1-2, o2c 1-2, exch 0-2",
    "sachbearbeitung-auftragsannahme": "xls 1-3, exch 1-2, o2c 1-2, talk 1-2",
    "personalentwicklung": "talk 2-4, pm 2-3, xls 1-3",
    "betriebsrat": "talk 2-3, o2c 1-2",
}
# role -> "tool ids | tasks; ... | qualification"
WORK = {
    "controller": "sap-ecc excel | Monatsabschluss; Deckungsbeiträge je Kunde auswerten "
    "| Bachelor Betriebswirtschaftslehre",
    "teamleitung": "sap-ecc excel outlook | Personaleinsatz planen; Kennzahlen im Team "
    "besprechen | Wirtschaftsfachwirt/in (IHK)",
    "schichtleitung": "papier-laufkarte bde-terminal excel | Schichtübergabe; Maschinenbelegung "
    "steuern | Industriemeister/in Metall (IHK)",
    "arbeitsvorbereitung": "sap-ecc excel cad-viewer | Arbeitspläne erstellen; Material "
    "disponieren | Techniker/in Maschinenbau",
    WORKERS: "papier-laufkarte bde-terminal | CNC-Maschine rüsten; Teile nach Zeichnung "
    "fertigen | Zerspanungsmechaniker/in",
    "qualitaetspruefung": "caq-system papier-pruefprotokoll | Erstmusterprüfung; Messprotokolle "
    "führen | Qualitätsfachkraft (TÜV)",
    "logistik": "sap-ecc handscanner | Versand vorbereiten; Lieferscheine erstellen "
    "| Fachkraft für Lagerlogistik (IHK)",
    "sachbearbeitung-auftragsannahme": "sap-ecc excel outlook | Aufträge erfassen; Liefertermine "
    "abstimmen | Industriekaufmann/-frau (IHK)",
    "personalentwicklung": "excel hr-portal | Schulungen planen; Entwicklungsgespräche "
    "begleiten | Personalfachkaufmann/-frau (IHK)",
    "betriebsrat": "outlook | Beschäftigte beraten; Betriebsvereinbarungen verhandeln "
    "| Zerspanungsmechaniker/in",
}
RELEASES = [[], ["self_ratings"], ["self_ratings", "learning_wishes"],
            ["self_ratings", "learning_wishes", "mentoring_offer", "profile", "plan"]]  # fmt: skip


def _targets(role_id: str) -> dict[str, int]:
    """The confirmed target level of each competence the role's requirements ask for."""
    targets: dict[str, int] = {}
    profiles = confirmed_profiles()
    for requirement in REQUIREMENTS:
        if role_id in requirement["role_ids"]:
            for item in profiles[requirement["requirement_id"]]["items"]:
                targets[item["competence_id"]] = max(
                    item["target_level"], targets.get(item["competence_id"], 0)
                )
    return targets


@cache
def _excel_power_users() -> frozenset[str]:
    """Work preparers and an order clerk who run the Excel workshop for colleagues."""
    return frozenset(
        {
            _first("siegen", "arbeitsvorbereitung"),
            _first("siegen", "arbeitsvorbereitung", 1),
            _first("olpe", "arbeitsvorbereitung"),
            _first("siegen", "sachbearbeitung-auftragsannahme"),
        }
    )


def _ratings(rng: random.Random, person: Person) -> dict[str, int]:
    """Self-rated levels plausible for the person's role."""
    ratings = {}
    for short, levels in (part.split() for part in RATINGS[person.role_id].split(", ")):
        low, high = levels.split("-")
        ratings[SHORT[short]] = rng.randint(int(low), int(high))
    if person.personnel_number == KPI_EXAMPLE_EMPLOYEE:
        ratings.update(dict(zip(KPI_ITEMS, (0, 1, 1, 1, 0), strict=True)))
    if person.personnel_number in _excel_power_users():
        ratings["excel-analysis"] = 4
    return ratings


def _mentoring(rng: random.Random, person: Person) -> dict | None:
    """The Siegen controllers mentor SAP CO-PA (the Excel power users run workshops)."""
    if person.site_id == "siegen" and person.role_id == "controller":
        return {"competence_ids": ["sap-s4-co-pa"], "capacity": rng.choice([2, 3])}
    return None


def _input(rng: random.Random, person: Person) -> dict:
    """Body for POST /v1/employee-inputs, without the pseudonymous employee_id."""
    ratings = _ratings(rng, person)
    every_gap = person.personnel_number == KPI_EXAMPLE_EMPLOYEE
    wishes = [{"competence_id": c, "target_level": t} for c, t in _targets(person.role_id).items()
              if ratings.get(c, 0) < t and (every_gap or rng.random() < 0.7)]  # fmt: skip
    tools, tasks, qualification = (part.strip() for part in WORK[person.role_id].split("|"))
    years = rng.randint(1, 3 if person.site_id == "brno" else 30)  # Brno is new
    return {
        "rollout_id": ROLLOUT_ID,
        "site_id": person.site_id,
        "department_id": person.department_id,
        "role_id": person.role_id,
        "process_step_id": person.process_id or None,
        "tool_ids": tools.split(),
        "self_ratings": [{"competence_id": c, "level": lvl} for c, lvl in ratings.items()],
        "learning_wishes": wishes,
        "mentoring_offer": _mentoring(rng, person),
        "released_to_manager": list(rng.choice(RELEASES)),
        "tasks": tasks.split("; "),
        "background": f"Seit {years} Jahren bei Siegtal in {SITES[person.site_id]['name']}.",
        "qualifications": [qualification],
        "experience": f"{rng.randint(1, years)} Jahre als {ROLES[person.role_id]}.",
    }


def employee_inputs() -> list[tuple[str, dict]]:
    """(personnel number, input body) for every employee."""
    rng = random.Random(SEED)
    return [(person.personnel_number, _input(rng, person)) for person in _people()]


IDEAS = [
    ("olpe", WORKERS, _FE, "automation", "Laufkarten durch Tablets ersetzen, damit "
     "Rückmeldungen sofort im Auftrag stehen."),
    ("siegen", "qualitaetspruefung", _QS, "process", "Rückmeldung der Qualitätsprüfung direkt "
     "im Auftrag sehen, statt auf den Prüfbericht zu warten."),
    ("siegen", "sachbearbeitung-auftragsannahme", _AA, "process", "Liefertermine vor der "
     "Zusage an den Kunden mit der Arbeitsvorbereitung abstimmen."),
    ("siegen", "arbeitsvorbereitung", _AV, "automation", "Rüstzeiten aus den Maschinendaten "
     "übernehmen, statt sie von Hand zu pflegen."),
    ("siegen", "controller", _FC, "automation", "Deckungsbeitrag je Auftrag täglich als "
     "Bericht an die Schichtleitung."),
    ("olpe", "logistik", _VS, "automation", "Verladung per Handscanner bestätigen, der "
     "Lieferschein entsteht automatisch."),
    ("siegen", "schichtleitung", _FE, "process", "Kurze Schichtübergabe am Bildschirm mit "
     "den wichtigsten Kennzahlen."),
    ("brno", WORKERS, _FE, "process", "Montageanleitungen am Tablet auch auf Englisch und "
     "Tschechisch anzeigen."),
    ("olpe", "controller", _FC, "process", "Rechnung direkt nach der Versandbuchung "
     "erstellen, ohne Papierlieferschein."),
    ("brno", "logistik", _VS, "automation", "Versandetiketten automatisch aus dem Auftrag "
     "drucken."),
    ("siegen", "teamleitung", _AA, "process", "Monatlicher Austausch von Auftragsannahme und "
     "Versand zu Reklamationen."),
]  # fmt: skip


def ideas() -> list[tuple[str, dict]]:
    """(personnel number, body for POST /v1/rollouts/{ROLLOUT_ID}/ideas without employee_id)."""
    return [
        (_first(site, role), {"process_id": process, "kind": kind, "text": text})
        for site, role, process, kind, text in IDEAS
    ]


OFFER_COLUMNS = ["offer_id", "kind", "title", "competence_id", "reaches_level", "hours",
                 "cost_eur", "site_ids", "remote", "min_group", "max_group", "runs",
                 "trainer", "chain", "starts_on", "provider"]  # fmt: skip
_CHAIN = " | ".join(PROCESSES)
# The learning offers of ../shared/handbook/demo-scenario.md, plus a tablet briefing and an
# order-to-cash understanding circle so that every requirement has an in-house offer.
# "trainer" is a personnel number; the loader puts the pseudonymous id in its place.
OFFERS = [
    ["excel-workshop-siegen", "internal_workshop", "Excel-Power-User-Workshop Siegen",
     "excel-analysis", 3, 12, 0, "siegen", "no", 6, 12, 4,
     _first("siegen", "arbeitsvorbereitung"), "", "2027-04-12", ""],
    ["excel-workshop-olpe", "internal_workshop", "Excel-Power-User-Workshop Olpe",
     "excel-analysis", 3, 12, 0, "olpe", "no", 6, 12, 2,
     _first("olpe", "arbeitsvorbereitung"), "", "2027-02-08", ""],
    ["excel-workshop-brno", "internal_workshop", "Excel power-user workshop Brno",
     "excel-analysis", 3, 12, 0, "brno", "no", 6, 12, 1,
     _first("siegen", "sachbearbeitung-auftragsannahme"), "", "2027-08-09", ""],
    ["pmo-project-basics", "internal_workshop", "Projektmanagement-Grundlagen (PMO)",
     "project-basics", 2, 8, 0, "siegen | olpe", "no", 6, 10, 3,
     _first("siegen", "personalentwicklung"), "", "2027-04-19", ""],
    ["o2c-exchange-circle", "exchange_circle", "Austauschkreis Order-to-Cash",
     "process-exchange", 2, 6, 0, "siegen | olpe | brno", "no", 4, 12, "", "", _CHAIN, "", ""],
    ["o2c-understanding-circle", "exchange_circle", "Order-to-Cash verstehen: Austauschkreis",
     "order-to-cash-understanding", 2, 6, 0, "siegen | olpe | brno", "no", 4, 12, "", "",
     _CHAIN, "", ""],
    *[[f"tablet-briefing-{site}", "internal_workshop", f"Tablet-Einweisung Fertigung {site}",
       "mobile-devices-production", 2, 4, 0, site, "no", 4, 10, "",
       _first(site, "schichtleitung"), "", "", ""] for site in SITES],
    ["sap-co-external", "external_course", "SAP S/4HANA CO (3 Tage)", "sap-s4-co-pa", 3, 24,
     1950, "", "yes", 1, "", "", "", "", "", "SAP Education"],
    ["excel-seminar", "external_course", "Excel für Fortgeschrittene (2 Tage)",
     "excel-analysis", 3, 16, 890, "siegen", "no", 1, "", "", "", "", "", "IHK Siegen"],
    ["conflict-seminar", "external_course", "Gesprächsführung und Konfliktmanagement (2 Tage)",
     "conversation-conflict", 3, 16, 1290, "siegen", "no", 1, "", "", "", "", "",
     "Kommunikationsakademie Siegerland"],
    ["pm-basics-external", "external_course", "Projektmanagement Grundlagen (2 Tage)",
     "project-basics", 2, 16, 1150, "", "yes", 1, "", "", "", "", "", "PM-Akademie online"],
    ["esco-moderation-self-study", "self_study",
     "ESCO: Diskussionen moderieren, Konflikte lösen", "conversation-conflict", 1, 4, 0, "",
     "yes", 1, "", "", "", "", "", ""],
]  # fmt: skip


def offers_csv(ids: dict[str, str]) -> bytes:
    """The offers as an HR export, trainers by pseudonymous id (``ids``: personnel number
    to employee id)."""
    header = [c if c != "trainer" else "trainer_id" for c in OFFER_COLUMNS]
    trainer = OFFER_COLUMNS.index("trainer")
    rows = [[str(ids.get(str(v), v)) if i == trainer else str(v) for i, v in enumerate(row)]
            for row in OFFERS]  # fmt: skip
    return _csv(header, rows).encode()
