"""Organisation import, with a made-up bakery chain (Kornblume) and random organisations."""

import csv
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from gegenstrom_runtime.csv_files import Problem
from intake.org.importer import SPECS, OrgParse, diff_org, parse_org
from intake.org.model import (
    Department,
    Employee,
    OrgData,
    Process,
    Role,
    Site,
    downstream_of,
    record_id,
)

Table = list[list[str]]


def table(text: str) -> Table:
    return [line.split(",") for line in text.strip().splitlines()]


KORNBLUME: dict[str, Table] = {
    "sites": table("""
site_id,name,country,language,time_zone
ulm,Backhaus Ulm,DE,de,Europe/Berlin
graz,Filiale Graz,AT,de,Europe/Vienna
wroclaw,Piekarnia Wrocław,PL,pl,Europe/Warsaw
"""),
    "departments": table("""
department_id,name,site_id
backstube,Backstube,
verkauf,Verkauf; Theke,graz
logistik,Logistik,wroclaw
"""),
    "processes": table("""
process_id,name,upstream
dough,Teig ansetzen,
baking,Backen,dough
packing,Verpacken,baking
delivery,Ausliefern,packing | baking
"""),
    "roles": table("""
role_id,name
baker,Bäcker/in
driver,Fahrer/in
"""),
    "employees": table(
        "personnel_number,first_name,last_name,email,language,"
        "site_id,department_id,role_id,process_id,manager_personnel_number"
        """
0100,Jana,Ober,jana@kornblume.example,de,ulm,backstube,baker,baking,
0101,Tomasz,Nowak,tn@kornblume.example,pl,wroclaw,logistik,driver,delivery,0100
0102,Eva,Huber,eva@kornblume.example,en,graz,verkauf,baker,,0100
"""
    ),
}


def csv_bytes(table: Table, delimiter: str = ",", bom: bool = False) -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(table)
    return (("\ufeff" if bom else "") + out.getvalue()).encode()


def files_of(tables: dict[str, Table], delimiter=",", bom=False) -> dict[str, tuple[str, bytes]]:
    return {k: (f"{k}.csv", csv_bytes(t, delimiter, bom)) for k, t in tables.items()}


def parse(tables: dict[str, Table], current: OrgData | None = None, **options) -> OrgParse:
    return parse_org(files_of(tables, **options), current or OrgData())


def kornblume() -> OrgData:
    parsed = parse(KORNBLUME)
    assert parsed.problems == []
    return parsed.desired


def problems_in(**texts: str) -> list[str]:
    """The problems, as 'file:line column: reason', with some files given as text."""
    files = files_of(KORNBLUME) | {k: (f"{k}.csv", t.encode()) for k, t in texts.items()}
    problems = parse_org(files, OrgData()).problems
    return [f"{p.file}:{p.line} {p.column}: {p.reason}" for p in problems]


def test_comma_files_give_every_record():
    org = kornblume()
    assert org.sites["wroclaw"] == Site(
        site_id="wroclaw",
        name="Piekarnia Wrocław",
        country="PL",
        language="pl",
        time_zone="Europe/Warsaw",
    )
    assert org.departments["backstube"].site_id is None
    assert org.departments["verkauf"].name == "Verkauf; Theke"
    assert org.processes["delivery"].upstream_ids == ["baking", "packing"]
    assert org.employees["0101"].manager_personnel_number == "0100"
    assert org.employees["0102"].process_id is None
    assert [len(records) for records in org.by_kind().values()] == [3, 3, 4, 2, 3]


def test_semicolon_files_with_bom_give_the_same_organisation():
    parsed = parse(KORNBLUME, delimiter=";", bom=True)
    assert (parsed.problems, parsed.desired) == ([], kornblume())


def test_german_headers_give_the_same_organisation():
    german = {
        "sites": ["Standort", "Bezeichnung", "Land", "Sprache", "Zeitzone"],
        "departments": ["Abteilung", "Bezeichnung", "Standort"],
        "processes": ["Prozessschritt", "Bezeichnung", "Vorgänger"],
        "roles": ["Funktion", "Name"],
        "employees": table(
            "Personalnummer,Vorname,Nachname,E-Mail,Sprache,Standort,Abteilung,Rolle,Prozess,"
            "Vorgesetzte Personalnummer"
        )[0],
    }
    tables = {kind: [german[kind], *table[1:]] for kind, table in KORNBLUME.items()}
    parsed = parse(tables, delimiter=";")
    assert (parsed.problems, parsed.desired) == ([], kornblume())


def test_reimporting_the_same_files_changes_nothing():
    diff = diff_org(kornblume(), parse(KORNBLUME, current=kornblume()).desired)
    assert diff.is_empty()
    assert (diff.employees.unchanged, diff.processes.unchanged) == (3, 4)


def test_a_changed_file_gives_exactly_the_differences():
    jana, _, eva = KORNBLUME["employees"][1:]
    jana_moved = [*jana[:5], "graz", "verkauf", "baker", "baking", ""]
    lea = ["0200", "Lea", "Kurz", "lea@kornblume.example", "de", "ulm", "backstube", "baker"]
    wroclaw_in_utc = ["wroclaw", "Piekarnia Wrocław", "PL", "pl", "UTC"]
    tables = KORNBLUME | {
        "employees": [KORNBLUME["employees"][0], jana_moved, eva, [*lea, "dough", "0100"]],
        "sites": [*KORNBLUME["sites"][:3], wroclaw_in_utc],
    }
    parsed = parse(tables, current=kornblume())
    diff = diff_org(kornblume(), parsed.desired)
    assert parsed.problems == []
    employees = diff.employees
    assert (employees.new, employees.changed, employees.left, employees.unchanged) == (
        ["0200"],
        ["0100"],
        ["0101"],
        1,
    )
    assert (diff.sites.new, diff.sites.changed, diff.sites.removed) == ([], ["wroclaw"], [])
    assert diff.departments.is_empty() and diff.processes.is_empty() and diff.roles.is_empty()


def test_kinds_not_given_keep_their_current_data_and_are_checked_against_the_new_files():
    current = kornblume()
    parsed = parse_org({"roles": ("roles.csv", csv_bytes(KORNBLUME["roles"][:2]))}, current)
    assert parsed.desired.roles == {"baker": current.roles["baker"]}
    assert parsed.desired.employees == current.employees
    assert parsed.problems == [
        Problem(
            "roles.csv",
            0,
            "role_id",
            "role_id 'driver' is not in the file, but current "
            "employees still refer to it in role_id: 0101",
        )
    ]


def test_a_cp1252_file_is_one_clear_problem_for_the_whole_file():
    files = files_of(KORNBLUME) | {
        "roles": ("roles.csv", "role_id,name\nb,Bäcker\n".encode("cp1252"))
    }
    parsed = parse_org(files, kornblume())
    assert parsed.problems == [
        Problem("roles.csv", 0, "", "not UTF-8 (byte 0xe4 at offset 16); export the file as UTF-8")
    ]
    assert parsed.desired.roles == kornblume().roles  # an unreadable file keeps the current data


def test_missing_columns_name_the_headers_also_accepted():
    assert problems_in(employees="Personalnummer;Vorname;Nachname\n0100;Jana;Ober\n") == [
        "employees.csv:1 department_id: required column 'department_id' is missing "
        "(also accepted: abteilung, abteilung_id, abteilungs_id)",
        "employees.csv:1 email: required column 'email' is missing "
        "(also accepted: e_mail, e_mail_adresse, email_adresse)",
        "employees.csv:1 language: required column 'language' is missing "
        "(also accepted: sprache, arbeitssprache, bevorzugte_sprache)",
        "employees.csv:1 role_id: required column 'role_id' is missing "
        "(also accepted: rolle, rolle_id, funktion)",
        "employees.csv:1 site_id: required column 'site_id' is missing "
        "(also accepted: standort, standort_id, standortnummer)",
    ]


def test_every_bad_row_of_a_file_is_reported_at_its_physical_line():
    sites = (
        "site_id,name,country,language,time_zone\n"
        'ulm,"Backhaus\nUlm",DE,de,Europe/Berlin\n'  # lines 2-3: a quoted cell with a newline
        "graz,Filiale Graz,Österreich,deu,Europe/Berln\n"
        "ul m,,DE,de,Europe/Berlin\n"
        "wroclaw,Piekarnia,PL,pl,Europe/Warsaw,extra\n"
        "ulm,Backhaus again,DE,de,Europe/Berlin\n"
    )
    assert problems_in(sites=sites) == [
        "sites.csv:4 country: 'Österreich' is not an ISO 3166-1 alpha-2 country code "
        "(e.g. DE, AT, CZ)",
        "sites.csv:4 language: 'deu' is not an ISO 639-1 language code (e.g. de, en, cs)",
        "sites.csv:4 time_zone: unknown time zone 'Europe/Berln'; did you mean 'Europe/Berlin'?",
        "sites.csv:5 name: name is required but empty",
        "sites.csv:5 site_id: 'ul m' is not a valid id (1-128 letters, digits or _ . : -)",
        "sites.csv:6 : 1 more cell(s) than the header's 5 columns; "
        "check the delimiter and the quotes",
        "sites.csv:7 site_id: duplicate site_id 'ulm' (first on line 2)",
    ]


def test_employees_refer_to_known_sites_departments_roles_processes_and_managers():
    employees = (
        ",".join(KORNBLUME["employees"][0]) + "\n"
        "0100,Jana,Ober,jana@kornblume,de,siegn,backstube,baker,baking,0100\n"
        "0101,Tomasz,Nowak,tn@kornblume.example,pl,wroclaw,kasse,pilot,frying,0999\n"
    )
    assert problems_in(employees=employees) == [
        "employees.csv:2 email: 'jana@kornblume' is not an e-mail address "
        "(expected name@example.com)",
        "employees.csv:2 site_id: unknown site_id 'siegn' (known: graz, ulm, wroclaw)",
        "employees.csv:2 manager_personnel_number: no one can be their own manager",
        "employees.csv:3 department_id: unknown department_id 'kasse' "
        "(known: backstube, logistik, verkauf)",
        "employees.csv:3 role_id: unknown role_id 'pilot' (known: baker, driver)",
        "employees.csv:3 process_id: unknown process_id 'frying' "
        "(known: baking, delivery, dough, packing)",
        "employees.csv:3 manager_personnel_number: unknown personnel_number '0999' "
        "(known: 0100, 0101)",
    ]


def test_department_sites_and_process_upstreams_must_exist_in_the_new_files():
    departments = "abteilung;bezeichnung;standort\nbackstube;Backstube;\nverkauf;Verkauf;gratz\n"
    processes = (
        "process_id,name,upstream\n"
        "dough,Teig,\n"
        "baking,Backen,dough | baking\n"
        "packing,Verpacken,bakeing\n"
        "delivery,Ausliefern,packing\n"
    )
    assert problems_in(departments=departments, processes=processes) == [
        "departments.csv:3 standort: unknown site_id 'gratz' (known: graz, ulm, wroclaw)",
        "processes.csv:3 upstream: a process cannot be upstream of itself",
        "processes.csv:4 upstream: unknown process_id 'bakeing' "
        "(known: baking, delivery, dough, packing)",
        "employees.csv:3 department_id: unknown department_id 'logistik' "
        "(known: backstube, verkauf)",
    ]


def test_a_long_list_of_known_ids_is_cut_with_the_most_similar_first():
    sites = [KORNBLUME["sites"][0]] + [
        [site, site.title(), "DE", "de", "Europe/Berlin"]
        for site in ["aalen", "bonn", "celle", "siegen", "ulm", "graz", "wroclaw"]
    ]
    departments = [KORNBLUME["departments"][0], ["laden", "Laden", "siegn"]]
    parsed = parse({"sites": sites, "departments": departments})
    assert [p.reason for p in parsed.problems] == [
        "unknown site_id 'siegn' (known: siegen, aalen, bonn, celle, graz and 2 more)"
    ]


def test_a_column_given_twice_under_two_names_is_a_problem():
    assert problems_in(roles="role_id,name,bezeichnung\nbaker,Bäcker,Bäcker/in\n") == [
        "roles.csv:1 bezeichnung: 'name' and 'bezeichnung' both give name; keep one"
    ]


def test_a_file_under_an_unknown_kind_is_a_problem():
    parsed = parse_org({"shifts": ("shifts.csv", b"shift_id\nearly\n")}, OrgData())
    assert [p.reason for p in parsed.problems] == [
        "unknown kind 'shifts' (expected one of: sites, departments, processes, roles, employees)"
    ]


@pytest.mark.parametrize(
    "email",
    [
        "jana",
        "jana@kornblume",
        "@kornblume.example",
        "j@@kornblume.example",
        "j@kornblume.",
        "j@.example",
        "j ana@kornblume.example",
    ],
)
def test_an_email_needs_one_at_and_a_dotted_domain(email: str):
    fields = dict(zip(KORNBLUME["employees"][0], KORNBLUME["employees"][1], strict=True))
    assert Employee.model_validate(fields | {"manager_personnel_number": None})
    with pytest.raises(ValidationError, match="not an e-mail address"):
        Employee.model_validate(fields | {"manager_personnel_number": None, "email": email})


def test_downstream_neighbours_are_derived_from_the_upstream_steps():
    assert downstream_of(kornblume().processes) == {
        "dough": ["baking"],
        "baking": ["delivery", "packing"],
        "packing": ["delivery"],
        "delivery": [],
    }


ids = st.from_regex(r"[A-Za-z0-9_.:-]{1,12}", fullmatch=True)
names = st.text(st.characters(categories=["L", "N", "P", "Zs"], include_characters="\n|"))
names = names.map(str.strip).filter(bool)
one = st.sampled_from


def some(records: st.SearchStrategy, max_size: int) -> st.SearchStrategy:
    """Lists of one to max_size records with distinct ids."""
    return st.lists(records, min_size=1, max_size=max_size, unique_by=record_id)


@st.composite
def process_chains(draw) -> list[Process]:
    """Processes, each with up to two of the earlier ones as its upstream steps."""
    steps = draw(some(st.builds(Process, process_id=ids, name=names), 5))
    chain = []
    for i, step in enumerate(steps):
        upstream = draw(st.lists(one(steps[:i]), max_size=2)) if i else []
        chain.append(Process(**step.model_dump() | {"upstream_ids": map(record_id, upstream)}))
    return chain


SITES = some(
    st.builds(
        Site,
        site_id=ids,
        name=names,
        country=one(["DE", "CZ", "PL"]),
        language=one(["de", "en", "cs"]),
        time_zone=one(["Europe/Berlin", "UTC"]),
    ),
    3,
)
ROLES = some(st.builds(Role, role_id=ids, name=names), 3)
PERSONNEL_NUMBER = st.from_regex(r"[0-9]{1,6}", fullmatch=True)


def departments_at(sites: list[Site]) -> st.SearchStrategy[list[Department]]:
    """Departments of one of the sites, or spanning all."""
    site_ids = one([None, *map(record_id, sites)])
    return some(st.builds(Department, department_id=ids, name=names, site_id=site_ids), 4)


@st.composite
def staff(draw, *structure: list) -> list[Employee]:
    """Employees placed in the structure, each managed by an earlier colleague or by none."""
    sites, departments, roles, processes = (one(list(map(record_id, r))) for r in structure)
    numbers = draw(st.lists(PERSONNEL_NUMBER, min_size=1, max_size=6, unique=True))
    return [
        draw(
            st.builds(
                Employee,
                personnel_number=st.just(number),
                first_name=names,
                last_name=names,
                email=ids.map(lambda name: f"{name}@kornblume.example"),
                language=one(["de", "en"]),
                site_id=sites,
                department_id=departments,
                role_id=roles,
                process_id=st.none() | processes,
                manager_personnel_number=one([None, *numbers[:i]]),
            )
        )
        for i, number in enumerate(numbers)
    ]


@st.composite
def organisations(draw) -> OrgData:
    """A random organisation in which every reference points to a record."""
    sites, roles, processes = draw(SITES), draw(ROLES), draw(process_chains())
    departments = draw(departments_at(sites))
    employees = draw(staff(sites, departments, roles, processes))
    kinds = zip(SPECS, [sites, departments, processes, roles, employees], strict=True)
    return OrgData(**{kind: {record_id(r): r for r in records} for kind, records in kinds})


def tables_of(org: OrgData) -> dict[str, Table]:
    """The organisation written as CSV tables, one per kind, as an HR system would."""
    tables = {}
    for kind, by_id in org.by_kind().items():
        spec, records = SPECS[kind], by_id.values()
        rows = [[cell(getattr(r, spec.field_of(c))) for c in spec.columns()] for r in records]
        tables[kind] = [list(spec.columns()), *rows]
    return tables


def cell(value: str | list[str] | None) -> str:
    return " | ".join(value) if isinstance(value, list) else value or ""


@settings(deadline=None, max_examples=60)
@given(organisations(), st.sampled_from([",", ";"]), st.booleans())
def test_random_organisations_written_and_read_come_back_the_same(org, delimiter, bom):
    parsed = parse(tables_of(org), delimiter=delimiter, bom=bom)
    assert (parsed.problems, parsed.desired) == ([], org)
    assert diff_org(org, parsed.desired).is_empty()
