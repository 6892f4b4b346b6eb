"""Intake's privacy rules that need no servers: personal fields, the manager's default
view, the works agreement's change log, and when a rollout counts as closed."""

from datetime import date

from gegenstrom_contracts.catalog import ALL_EVENTS
from gegenstrom_contracts.rollouts import RolloutScope
from intake.domain import EmployeeInputForm, released_part
from intake.privacy import personal_field_names
from intake.privacy.agreement import changed_fields
from support.factories import input_form


def test_personal_fields_are_the_marked_ones():
    assert personal_field_names() == {
        "first_name",
        "last_name",
        "email",
        "personnel_number",
        "manager_personnel_number",
        "tasks",
        "background",
        "qualifications",
        "experience",
        "text",
    }


def property_names(schema: object) -> set[str]:
    """Every property name in a JSON schema, at any depth (definitions included)."""
    if isinstance(schema, list):
        return set().union(*map(property_names, schema)) if schema else set()
    if not isinstance(schema, dict):
        return set()
    names = set(schema.get("properties", {}))
    return names.union(*map(property_names, schema.values()))


def test_no_event_has_a_personal_field():
    personal = personal_field_names()
    for event in ALL_EVENTS:
        assert not property_names(event.model_json_schema()) & personal, event.event_type


def stored(**changes) -> dict:
    body = input_form("emp-1") | changes
    return EmployeeInputForm.model_validate(body).stored()


def test_without_a_choice_the_agreement_decides_what_the_manager_sees():
    body = input_form("emp-1")
    del body["released_to_manager"]
    unchosen = EmployeeInputForm.model_validate(body).stored()
    assert "released_to_manager" not in unchosen
    seen = released_part(unchosen, ["self_ratings"])
    assert "self_ratings" in seen and "learning_wishes" not in seen


def test_an_empty_choice_releases_nothing_whatever_the_agreement_says():
    seen = released_part(stored(released_to_manager=[]), ["self_ratings"])
    assert set(seen) == {"employee_id", "rollout_id", "site_id", "role_id"}


def test_an_explicit_choice_wins_over_the_agreement():
    seen = released_part(stored(released_to_manager=["learning_wishes"]), ["self_ratings"])
    assert "learning_wishes" in seen and "self_ratings" not in seen


def test_changed_fields_name_nested_terms_dotted():
    before = {"k": 5, "retention": {"access_log_days": 365, "webhook_deliveries_days": 30}}
    after = {"k": 7, "retention": {"access_log_days": 90, "webhook_deliveries_days": 30}}
    assert changed_fields(before, after) == ["k", "retention.access_log_days"]


def scope(*ends: str | None) -> RolloutScope:
    waves = [
        {"site_id": f"s{i}", "starts_on": "2027-01-01", "ends_on": end}
        for i, end in enumerate(ends)
    ]
    return RolloutScope(site_ids=["s0"], waves=waves)


def test_a_rollout_is_closed_only_when_every_wave_has_ended():
    assert scope("2027-03-01", "2027-05-01").closed_on() == date(2027, 5, 1)
    assert scope("2027-03-01", None).closed_on() is None
    assert scope().closed_on() is None
