"""The `gegenstrom` command as a user runs it, against a running intake service."""

import os
import subprocess
import sys
from pathlib import Path

from gegenstrom_cli import demo_data
from support.data import ESCO_DIR
from support.org_files import employee_rows, employees_csv, org_files
from support.tokens import TEST_SECRET

CLI = Path(sys.executable).parent / "gegenstrom"


def run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(CLI), *args],
        env=os.environ | env | {"COLUMNS": "200"},
        capture_output=True,
        text=True,
        timeout=300,
    )


def write_org(folder: Path, files: dict[str, tuple[str, bytes]]) -> list[str]:
    for name, data in files.values():
        (folder / name).write_bytes(data)
    return [str(folder / name) for name, _ in files.values()]


async def test_token_then_import_org_and_esco(start_service, namespace, tmp_path):
    intake = start_service("intake")
    secret = {"GEGENSTROM_AUTH_SECRET": TEST_SECRET}
    minted = run("token", "hr-1", "--role", "hr", env=secret)
    assert minted.returncode == 0, minted.stderr
    env = {"GEGENSTROM_INTAKE_URL": intake.url, "GEGENSTROM_TOKEN": minted.stdout.strip()}

    rows = employee_rows(3)
    rows[2] = rows[2].replace(";ops;", ";opps;")
    bad = write_org(tmp_path, org_files() | {"employees": ("employees.csv", employees_csv(rows))})
    dry = run("import", "org", "--dry-run", *bad, env=env)
    assert dry.returncode == 1
    assert "employees.csv" in dry.stdout and "abteilung" in dry.stdout and "opps" in dry.stdout
    assert "nothing was written" in dry.stdout

    good = write_org(tmp_path, org_files(employees=3))
    imported = run("import", "org", *good, env=env)
    assert imported.returncode == 0, imported.stdout + imported.stderr
    assert "imported" in imported.stdout
    assert "employees" in imported.stdout and "3" in imported.stdout

    esco = run("import", "esco", str(ESCO_DIR), env=env)
    assert esco.returncode == 0, esco.stdout + esco.stderr
    transversal = next(line for line in esco.stdout.splitlines() if "transversalSkills" in line)
    cells = [cell.strip() for cell in transversal.split("│")][2:6]
    assert cells == ["96", "96", "0", "0"]  # rows, competences, groups, occupations
    assert "1136 new" in esco.stdout and "unresolved references: 6" in esco.stdout


def test_import_without_a_token_says_how_to_get_one(tmp_path):
    result = run("import", "org", *write_org(tmp_path, org_files()), env={"GEGENSTROM_TOKEN": ""})
    assert result.returncode == 2
    assert "gegenstrom token" in result.stderr


async def test_rollout_create_and_status(start_service, namespace, tmp_path):
    intake = start_service("intake")
    hr = run("token", "hr-1", "--role", "hr", env={"GEGENSTROM_AUTH_SECRET": TEST_SECRET})
    env = {"GEGENSTROM_INTAKE_URL": intake.url, "GEGENSTROM_TOKEN": hr.stdout.strip()}
    assert (
        run("import", "org", *write_org(tmp_path, org_files(employees=15)), env=env).returncode == 0
    )
    (tmp_path / "rollout.yaml").write_text(ROLLOUT_YAML, encoding="utf-8")

    created = run("rollout", "create", str(tmp_path / "rollout.yaml"), env=env)
    assert created.returncode == 0, created.stdout + created.stderr
    assert "saved as a new version" in created.stdout
    again = run("rollout", "create", str(tmp_path / "rollout.yaml"), env=env)
    assert "unchanged" in again.stdout

    status = run("rollout", "status", "dispo-2027", env=env)
    assert status.returncode == 0, status.stderr
    rows = {
        line.split("│")[1].strip(): [c.strip() for c in line.split("│")[2:6]]
        for line in status.stdout.splitlines()
        if line.startswith("│")
    }
    assert rows["hamburg"] == ["2027-03-01", "10", "0", "0%"]
    assert rows["gdansk"] == ["2027-09-01", "5", "0", "0%"]
    assert "Kennzahlen-Interpretationsfähigkeit" in status.stdout


ROLLOUT_YAML = """\
rollout_id: dispo-2027
title: Digitale Disposition
strategic_lines: [Ein Auftrag von der Buchung bis zur Rechnung]
site_ids: [hamburg, gdansk]
waves:
  - {site_id: hamburg, starts_on: 2027-03-01}
  - {site_id: gdansk, starts_on: 2027-09-01}
requirements:
  - requirement_id: kpi
    title: Kennzahlen-Interpretationsfähigkeit
    role_ids: [dispatcher]
"""


async def test_demo_load_twice_loads_the_demo_company_once(start_service, namespace, mongo):
    intake, training_match = start_service("intake"), start_service("training_match")
    env = {
        "GEGENSTROM_INTAKE_URL": intake.url,
        "GEGENSTROM_TRAINING_MATCH_URL": training_match.url,
        "GEGENSTROM_AUTH_SECRET": TEST_SECRET,
    }
    first = run("demo", "load", env=env)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "640 employees" in first.stdout

    db = mongo[namespace.database("intake")]
    assert await db["employees"].count_documents({"status": "active"}) == 640
    assert await db["employee_inputs"].count_documents({}) == 640
    assert await db["requirement_profiles"].count_documents({}) == 3
    offers = mongo[namespace.database("training_match")]["offers"]
    assert await offers.count_documents({"source": "hr"}) == len(demo_data.OFFERS)
    trainers = await offers.distinct("trainer_id")
    assert all(t.startswith("emp-") for t in trainers if t)  # pseudonymous ids, not numbers
    ideas = await db["ideas"].count_documents({})
    events = await db["outbox"].count_documents({})

    second = run("demo", "load", env=env)
    assert second.returncode == 0, second.stdout + second.stderr
    assert await db["outbox"].count_documents({}) == events  # nothing changed, nothing published
    assert await db["ideas"].count_documents({}) == ideas > 0
