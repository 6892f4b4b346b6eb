"""Inputs and events for tests, for Nordwind Logistik (generated, not the demo company)."""

from gegenstrom_contracts.envelope import Envelope
from gegenstrom_contracts.intake import EmployeeInputSubmitted

SECRET_TEXT = "Geheimnis: Frau Müller weiß, wie die Rüstzeiten wirklich sind"


def input_form(employee_id: str, rollout_id: str = "rollout-1", **changes) -> dict:
    """An HTTP body for intake, with free text that must never leave intake."""
    form = {
        "employee_id": employee_id,
        "rollout_id": rollout_id,
        "site_id": "hamburg",
        "department_id": "ops",
        "role_id": "dispatcher",
        "process_step_id": "booking",
        "tool_ids": ["tablet"],
        "self_ratings": [
            {"competence_id": "kpi-reading", "level": 1},
            {"competence_id": "spreadsheets", "level": 3},
        ],
        "learning_wishes": [
            {"competence_id": "kpi-reading", "target_level": 3},
            {"competence_id": "mobile-devices", "target_level": 2},
        ],
        "mentoring_offer": {"competence_ids": ["spreadsheets"], "capacity": 2},
        "released_to_manager": ["learning_wishes"],
        "tasks": ["Schichtübergabe"],
        "experience": SECRET_TEXT,
        "qualifications": ["Kaufmann für Spedition und Logistikdienstleistung"],
    }
    return form | changes


def input_event(employee_id: str, version: int = 1, **changes) -> Envelope:
    form = input_form(employee_id, **changes)
    for free_text in ("tasks", "experience", "qualifications"):
        form.pop(free_text)
    return Envelope(EmployeeInputSubmitted(**form, input_version=version), "/tests")
