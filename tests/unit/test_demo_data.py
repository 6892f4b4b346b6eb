"""The demo company Siegtal Präzisionsteile GmbH: consistent, complete and importable."""

import csv
import io
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from gegenstrom_cli import demo_data
from gegenstrom_cli.demo_data import (
    COMPANY_COMPETENCES,
    KPI_EXAMPLE_EMPLOYEE,
    ROLLOUT_ID,
    SITES,
    confirmed_profiles,
    employee_inputs,
    ideas,
    org_csvs,
    proposals,
    rollout,
)
from gegenstrom_cli.imports import kind_of
from intake.domain import EmployeeInputForm
from intake.org.importer import parse_org
from intake.org.model import OrgData
from intake.rollouts.model import IdeaForm, ProfileForm, Proposal, RolloutForm, rollout_problems

KPI_PROFILE = [
    ("sap-s4-co-pa", 3, True),
    ("excel-analysis", 3, True),
    ("process-exchange", 2, False),
    ("conversation-conflict", 2, False),
    ("project-basics", 2, False),
]
FREE_TEXT = ("tasks", "background", "qualifications", "experience")


def rows(kind: str) -> list[dict[str, str]]:
    """The rows of one generated file, read with the csv module."""
    data = org_csvs()[kind][1].decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(data), delimiter=";" if kind == "employees" else ","))


def ids(kind: str) -> set[str]:
    return {next(iter(row.values())) for row in rows(kind)}


@pytest.fixture(scope="module")
def employees() -> dict[str, dict[str, str]]:
    return {row["Personalnummer"]: row for row in rows("employees")}


@pytest.fixture(scope="module")
def inputs() -> dict[str, dict]:
    return dict(employee_inputs())


def test_640_employees_with_the_scenarios_head_count_per_site(employees):
    assert len(employees) == 640
    per_site = Counter(row["Standort"] for row in employees.values())
    assert per_site == {"siegen": 380, "olpe": 190, "brno": 70}
    assert per_site == {site: s["employees"] for site, s in SITES.items()}
    prefixes = {row["Standort"]: number[0] for number, row in employees.items()}
    assert prefixes == {"siegen": "S", "olpe": "O", "brno": "B"}


def test_personnel_numbers_and_emails_are_unique_and_ascii():
    employee_rows = rows("employees")
    emails = [row["E-Mail"] for row in employee_rows]
    assert len({row["Personalnummer"] for row in employee_rows}) == 640
    assert len(set(emails)) == 640
    assert all(e.isascii() and e.endswith("@siegtal.example") for e in emails)


def test_employee_file_is_a_german_export_with_bom_and_semicolons():
    name, data = org_csvs()["employees"]
    assert name.endswith(".csv")
    assert data.startswith("\ufeff".encode())
    assert data.decode("utf-8-sig").splitlines()[0] == (
        "Personalnummer;Vorname;Nachname;E-Mail;Sprache;Standort;Abteilung;Rolle;"
        "Prozessschritt;Vorgesetzter"
    )
    assert any("ü" in row["Nachname"] or "ö" in row["Nachname"] for row in rows("employees"))


def test_every_reference_in_the_employee_file_exists(employees):
    known = {kind: ids(kind) for kind in ("sites", "departments", "roles", "processes")}
    for row in employees.values():
        assert row["Standort"] in known["sites"]
        assert row["Abteilung"] in known["departments"]
        assert row["Rolle"] in known["roles"]
        assert row["Prozessschritt"] in known["processes"] | {""}
        assert row["Vorgesetzter"] in set(employees) | {""}


def test_managers_lead_the_same_site_and_department(employees):
    managed = [row for row in employees.values() if row["Vorgesetzter"]]
    assert len(managed) > 0.9 * len(employees)
    for row in managed:
        manager = employees[row["Vorgesetzter"]]
        assert manager["Rolle"] in ("teamleitung", "schichtleitung")
        assert (manager["Standort"], manager["Abteilung"]) == (row["Standort"], row["Abteilung"])


def test_the_process_chain_runs_from_order_intake_to_invoicing():
    upstream = {row["process_id"]: row["upstream"] for row in rows("processes")}
    assert upstream == {
        "auftragsannahme": "",
        "arbeitsvorbereitung": "auftragsannahme",
        "fertigung": "arbeitsvorbereitung",
        "qualitaetssicherung": "fertigung",
        "versand": "qualitaetssicherung",
        "fakturierung-controlling": "versand",
    }


def test_file_names_tell_the_cli_their_kind():
    assert all(kind_of(Path(name)) == kind for kind, (name, _) in org_csvs().items())


def test_the_project_importer_accepts_the_files_as_they_are():
    parsed = parse_org(org_csvs(), OrgData())
    assert parsed.problems == []
    assert len(parsed.desired.employees) == 640
    assert parsed.desired.sites["brno"].time_zone == "Europe/Prague"


def test_roles_sit_where_they_belong(employees):
    by_role = Counter((row["Standort"], row["Rolle"]) for row in employees.values())
    assert by_role["siegen", "controller"] == 6
    assert by_role["siegen", "maschinenbedienung"] > 190  # the bulk of a production site
    for site in SITES:
        assert by_role[site, "personalentwicklung"] >= 1
        assert by_role[site, "betriebsrat"] >= 1
    places = {
        "controller": "fakturierung-controlling",
        "schichtleitung": "fertigung",
        "maschinenbedienung": "fertigung",
        "personalentwicklung": "personal",
    }
    for row in employees.values():
        assert places.get(row["Rolle"], row["Abteilung"]) == row["Abteilung"]


def test_the_six_siegen_controllers_offer_sap_co_pa_mentoring(employees, inputs):
    controllers = [
        number
        for number, row in employees.items()
        if (row["Standort"], row["Rolle"]) == ("siegen", "controller")
    ]
    assert len(controllers) == 6
    for number in controllers:
        offer = inputs[number]["mentoring_offer"]
        assert "sap-s4-co-pa" in offer["competence_ids"]
        assert offer["capacity"] in (2, 3)
        ratings = {r["competence_id"]: r["level"] for r in inputs[number]["self_ratings"]}
        assert ratings["sap-s4-co-pa"] >= 3


def test_the_kpi_profile_is_the_co_defined_one_of_the_scenario():
    items = confirmed_profiles()["kpi-interpretation"]["items"]
    assert [(i["competence_id"], i["target_level"], i["essential"]) for i in items] == KPI_PROFILE


def test_every_competence_id_used_is_in_the_company_catalog(inputs):
    used = {i["competence_id"] for _, _, body in proposals() for i in body["items"]}
    used |= {i["competence_id"] for p in confirmed_profiles().values() for i in p["items"]}
    for body in inputs.values():
        used |= {r["competence_id"] for r in body["self_ratings"]}
        used |= {w["competence_id"] for w in body["learning_wishes"]}
        used |= set((body["mentoring_offer"] or {}).get("competence_ids", []))
    assert used <= set(COMPANY_COMPETENCES)
    categories = {"tool", "method", "social", "process", "language", "other"}
    assert all(c["category"] in categories for c in COMPANY_COMPETENCES.values())
    assert all(set(c["labels"]) == {"de", "en"} for c in COMPANY_COMPETENCES.values())


def test_the_rollout_refers_only_to_what_the_organisation_has():
    body = rollout()
    org = parse_org(org_csvs(), OrgData()).desired
    assert rollout_problems(RolloutForm.model_validate(body), org) == []
    for requirement in body["requirements"]:
        assert set(requirement["role_ids"]) <= ids("roles")
    assert {r["requirement_id"] for r in body["requirements"]} == set(confirmed_profiles())
    assert "betriebsrat" not in body["role_ids"]


def test_one_wave_per_site_in_order_olpe_siegen_brno():
    waves = rollout()["waves"]
    assert [w["site_id"] for w in waves] == ["olpe", "siegen", "brno"]
    spans = [(date.fromisoformat(w["starts_on"]), date.fromisoformat(w["ends_on"])) for w in waves]
    assert all(start <= end for start, end in spans)
    assert all(spans[i][1] < spans[i + 1][0] for i in range(len(spans) - 1))
    assert [start.month for start, _ in spans] == [3, 5, 9]


def test_every_employee_gives_an_input_the_api_accepts(employees, inputs):
    assert set(inputs) == set(employees)
    for number, body in inputs.items():
        form = EmployeeInputForm.model_validate({**body, "employee_id": "emp-0001"})
        assert form.rollout_id == ROLLOUT_ID
        row = employees[number]
        assert (form.site_id, form.role_id) == (row["Standort"], row["Rolle"])
        assert form.process_step_id == (row["Prozessschritt"] or None)


def test_proposals_profiles_and_ideas_are_valid_bodies(employees):
    kpi_roles = {employees[n]["Rolle"] for r, n, _ in proposals() if r == "kpi-interpretation"}
    assert {"controller", "schichtleitung", "arbeitsvorbereitung"} <= kpi_roles
    for _, number, body in proposals():
        assert number in employees
        Proposal.model_validate(body)
    for body in confirmed_profiles().values():
        ProfileForm.model_validate(body)
    assert len(ideas()) >= 10
    for number, body in ideas():
        assert number in employees
        IdeaForm.model_validate({**body, "employee_id": "emp-0001"})
        assert body["process_id"] in rollout()["process_ids"]


def test_free_text_holds_no_email_address(inputs):
    texts = [body["text"] for _, body in ideas()]
    for body in inputs.values():
        texts += [body["background"], body["experience"], *body["tasks"], *body["qualifications"]]
    assert texts
    assert not [text for text in texts if "@" in text]


def test_the_kpi_example_employee_has_a_gap_on_all_five_items(employees, inputs):
    assert employees[KPI_EXAMPLE_EMPLOYEE]["Standort"] == "siegen"
    assert employees[KPI_EXAMPLE_EMPLOYEE]["Rolle"] in rollout()["requirements"][0]["role_ids"]
    ratings = {r["competence_id"]: r["level"] for r in inputs[KPI_EXAMPLE_EMPLOYEE]["self_ratings"]}
    wishes = {w["competence_id"] for w in inputs[KPI_EXAMPLE_EMPLOYEE]["learning_wishes"]}
    for competence, target, _ in KPI_PROFILE:
        assert ratings.get(competence, 0) < target
        assert competence in wishes


def test_the_same_data_on_every_call():
    first = (org_csvs(), employee_inputs())
    demo_data._people.cache_clear()  # generate the people again from the seed
    demo_data._excel_power_users.cache_clear()
    assert (org_csvs(), employee_inputs()) == first
    assert (rollout(), proposals(), ideas()) == (rollout(), proposals(), ideas())
