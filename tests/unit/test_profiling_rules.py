"""Profiling's pure rules, on data shaped like the demo's rollout and KPI profile."""

import json
from datetime import UTC, date, datetime

import pytest

from gegenstrom_contracts.intake import EmployeeInputSubmitted
from gegenstrom_contracts.profiling import (
    CompetenceEvidenceRecorded,
    EvidenceSource,
    LevelSource,
    Target,
)
from gegenstrom_contracts.rollouts import RequirementProfileConfirmed, RolloutPublished
from profiling.rules import (
    Evidence,
    content,
    current_levels,
    evidence_of,
    gaps_of,
    new_role,
    profile_of,
    strengths_of,
    targets_of,
    wave_start,
)

ROLLOUT = "s4hana-2027"
LEADS = ["arbeitsvorbereitung", "schichtleitung", "controller", "teamleitung"]
PRODUCTION = ["maschinenbedienung", "maschinenbedienung-tablet", "schichtleitung"]
KPI_ITEMS = [
    ("sap-s4-co-pa", 3, True),
    ("excel-analysis", 3, True),
    ("process-exchange", 2, False),
    ("conversation-conflict", 2, False),
    ("project-basics", 2, False),
]
KPI_TARGETS = [
    ("conversation-conflict", 2, False, ["kpi-interpretation"]),
    ("excel-analysis", 3, True, ["kpi-interpretation"]),
    ("process-exchange", 2, False, ["kpi-interpretation"]),
    ("project-basics", 2, False, ["kpi-interpretation"]),
    ("sap-s4-co-pa", 3, True, ["kpi-interpretation"]),
]
NOW = datetime(2027, 4, 1, 9, 0, tzinfo=UTC)


def requirement(requirement_id: str, role_ids: list[str], process_ids=()) -> dict:
    return {"requirement_id": requirement_id, "title": requirement_id.title(),
            "role_ids": role_ids, "process_ids": list(process_ids)}  # fmt: skip


def rollout(*extra_requirements: dict, **changes) -> RolloutPublished:
    fields = {
        "rollout_id": ROLLOUT, "rollout_version": 1, "site_ids": ["siegen", "olpe", "brno"],
        "title": "Digitale Auftragsabwicklung mit SAP S/4HANA",
        "waves": [{"site_id": "olpe", "starts_on": "2027-03-01"},
                  {"site_id": "siegen", "starts_on": "2027-05-03", "ends_on": "2027-05-31"}],
        "requirements": [requirement("kpi-interpretation", LEADS),
                         requirement("mobile-devices", PRODUCTION), *extra_requirements],
        "role_changes": [{"from_role_id": "maschinenbedienung",
                          "to_role_id": "maschinenbedienung-tablet"}],
    }  # fmt: skip
    return RolloutPublished.model_validate(fields | changes)


def profile(requirement_id: str, items, rollout_id: str = ROLLOUT) -> RequirementProfileConfirmed:
    return RequirementProfileConfirmed(
        rollout_id=rollout_id, requirement_id=requirement_id, profile_version=2, role_ids=[],
        process_ids=[], proposals_considered=4,
        items=[{"competence_id": c, "category": "method", "target_level": t, "essential": e}
               for c, t, e in items],
    )  # fmt: skip


def confirmed(*extra: RequirementProfileConfirmed) -> dict[str, RequirementProfileConfirmed]:
    profiles = [
        profile("kpi-interpretation", KPI_ITEMS),
        profile("mobile-devices", [("mobile-devices-production", 2, True)]),
        *extra,
    ]
    return {p.requirement_id: p for p in profiles}


def employee(**changes) -> EmployeeInputSubmitted:
    fields = {
        "employee_id": "emp-0042", "rollout_id": ROLLOUT, "site_id": "siegen",
        "department_id": "fakturierung-controlling", "role_id": "controller",
        "process_step_id": "fakturierung-controlling", "input_version": 1,
        "self_ratings": [{"competence_id": "sap-s4-co-pa", "level": 2},
                         {"competence_id": "excel-analysis", "level": 3}],
    }  # fmt: skip
    return EmployeeInputSubmitted.model_validate(fields | changes)


def evidence(competence_id: str, level: int, source: LevelSource, hour: int = 9, id="ev-1"):
    return Evidence(competence_id, level, source, NOW.replace(hour=hour), id)


def shape(targets: list[Target]) -> list[tuple]:
    return [(t.competence_id, t.target_level, t.essential, t.requirement_ids) for t in targets]


def test_the_confirmed_kpi_profile_becomes_a_controllers_targets():
    assert shape(targets_of(rollout(), confirmed(), employee())) == KPI_TARGETS


def test_where_two_requirements_name_a_competence_the_higher_level_wins_and_essential_if_any():
    chain = requirement("process-understanding", [])
    understanding = profile("process-understanding", [("process-exchange", 3, True)])
    optional_sap = profile("sap-deep-dive", [("sap-s4-co-pa", 4, False)])
    targets = targets_of(
        rollout(chain, requirement("sap-deep-dive", ["controller"])),
        confirmed(understanding, optional_sap),
        employee(),
    )
    by_id = {t.competence_id: t for t in targets}
    assert shape([by_id["process-exchange"], by_id["sap-s4-co-pa"]]) == [
        ("process-exchange", 3, True, ["kpi-interpretation", "process-understanding"]),
        ("sap-s4-co-pa", 4, True, ["kpi-interpretation", "sap-deep-dive"]),
    ]


def test_targets_follow_the_new_role_and_a_requirement_of_the_old_role_only_drops_out():
    paper = requirement("paper-travel-cards", ["maschinenbedienung"])
    worker = employee(role_id="maschinenbedienung", department_id="fertigung",
                      process_step_id="fertigung")  # fmt: skip
    known = confirmed(profile("paper-travel-cards", [("paper-travel-card", 2, True)]))
    assert new_role(rollout(), "maschinenbedienung") == "maschinenbedienung-tablet"
    assert shape(targets_of(rollout(paper), known, worker)) == [
        ("mobile-devices-production", 2, True, ["mobile-devices"])
    ]
    assert profile_of(rollout(paper), known, worker, []).role_id == "maschinenbedienung-tablet"


def test_a_role_without_change_stays():
    assert new_role(rollout(), "controller") == "controller"
    assert new_role(None, "controller") == "controller"
    assert profile_of(rollout(), confirmed(), employee(), []).role_id == "controller"


def test_a_requirement_for_other_processes_does_not_apply():
    close = requirement("month-end-close", [], process_ids=["fakturierung-controlling"])
    shipping = requirement("shipping-scanners", [], process_ids=["versand"])
    known = confirmed(
        profile("month-end-close", [("s4-closing-cockpit", 2, True)]),
        profile("shipping-scanners", [("handheld-scanner", 2, True)]),
    )
    competences = [t.competence_id for t in targets_of(rollout(close, shipping), known, employee())]
    assert "s4-closing-cockpit" in competences and "handheld-scanner" not in competences
    without_step = targets_of(rollout(close), known, employee(process_step_id=None))
    assert "s4-closing-cockpit" not in [t.competence_id for t in without_step]


def test_a_requirement_without_confirmed_profile_or_of_another_rollout_gives_no_target():
    other_rollout = profile("mobile-devices", [("tablet", 2, True)], rollout_id="mes-2028")
    known = {"mobile-devices": other_rollout}
    assert targets_of(rollout(), known, employee(role_id="schichtleitung")) == []


@pytest.mark.parametrize("known_rollout", [None, rollout(site_ids=["olpe", "brno"])])
def test_outside_the_rollout_only_the_own_wishes_are_targets(known_rollout):
    wishes = [{"competence_id": "excel-analysis", "target_level": 4}]
    targets = targets_of(known_rollout, confirmed(), employee(learning_wishes=wishes))
    assert shape(targets) == [("excel-analysis", 4, False, [])]


def test_wishes_are_optional_targets_and_merge_with_requirements_without_making_them_essential():
    wishes = [
        {"competence_id": "power-query", "target_level": 2},
        {"competence_id": "project-basics", "target_level": 3},
        {"competence_id": "excel-analysis", "target_level": 2},
    ]
    by_id = {t.competence_id: t for t in targets_of(rollout(), confirmed(), employee(
        learning_wishes=wishes))}  # fmt: skip
    assert shape([by_id["power-query"], by_id["project-basics"], by_id["excel-analysis"]]) == [
        ("power-query", 2, False, []),
        ("project-basics", 3, False, ["kpi-interpretation"]),
        ("excel-analysis", 3, True, ["kpi-interpretation"]),
    ]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (EvidenceSource.LEARNING_COMPLETED, LevelSource.LEARNING_COMPLETED),
        (EvidenceSource.MENTOR_CONFIRMED, LevelSource.CONFIRMED),
        (EvidenceSource.TRAINER_CONFIRMED, LevelSource.CONFIRMED),
    ],
)
def test_evidence_sources_map_to_level_sources(source, expected):
    event = CompetenceEvidenceRecorded(
        evidence_id="ev-7", employee_id="emp-0042", competence_id="sap-s4-co-pa", level=3,
        source=source, observed_at=NOW, confirmed_by="emp-0007",
    )  # fmt: skip
    assert evidence_of(event) == Evidence("sap-s4-co-pa", 3, expected, NOW, "ev-7")


def test_a_mentors_confirmation_beats_a_higher_self_rating():
    levels = current_levels(
        employee(), [evidence("excel-analysis", 2, LevelSource.CONFIRMED, hour=8)]
    )
    assert levels["excel-analysis"] == (2, LevelSource.CONFIRMED)
    assert levels["sap-s4-co-pa"] == (2, LevelSource.SELF_RATING)
    assert "project-basics" not in levels


def test_completed_learning_beats_self_rating_and_confirmation_beats_newer_learning():
    completed = evidence("sap-s4-co-pa", 3, LevelSource.LEARNING_COMPLETED, hour=12, id="ev-2")
    assert current_levels(employee(), [completed])["sap-s4-co-pa"] == (
        3,
        LevelSource.LEARNING_COMPLETED,
    )
    confirmed_earlier = evidence("sap-s4-co-pa", 2, LevelSource.CONFIRMED, hour=10, id="ev-1")
    levels = current_levels(employee(), [completed, confirmed_earlier])
    assert levels["sap-s4-co-pa"] == (2, LevelSource.CONFIRMED)


def test_within_one_source_the_latest_wins_and_on_a_tie_the_larger_id():
    early = evidence("project-basics", 3, LevelSource.CONFIRMED, hour=8, id="ev-9")
    late = evidence("project-basics", 1, LevelSource.CONFIRMED, hour=15, id="ev-1")
    assert current_levels(employee(), [late, early])["project-basics"] == (1, LevelSource.CONFIRMED)
    same_a = evidence("project-basics", 2, LevelSource.CONFIRMED, hour=15, id="ev-a")
    same_b = evidence("project-basics", 4, LevelSource.CONFIRMED, hour=15, id="ev-b")
    assert current_levels(employee(), [same_b, same_a])["project-basics"][0] == 4


def test_gaps_are_ordered_essential_first_then_larger_then_by_id():
    current = current_levels(employee(), [])
    gaps = gaps_of(targets_of(rollout(), confirmed(), employee()), current, date(2027, 5, 3))
    assert [(g.priority, g.competence_id, g.size, g.essential, g.current_source) for g in gaps] == [
        (1, "sap-s4-co-pa", 1, True, LevelSource.SELF_RATING),
        (2, "conversation-conflict", 2, False, LevelSource.NONE),
        (3, "process-exchange", 2, False, LevelSource.NONE),
        (4, "project-basics", 2, False, LevelSource.NONE),
    ]
    assert {g.due_on for g in gaps} == {date(2027, 5, 3)}


def test_gaps_are_due_when_the_employees_wave_starts():
    assert wave_start(rollout(), "siegen") == date(2027, 5, 3)
    assert wave_start(rollout(), "brno") is None and wave_start(None, "siegen") is None
    olpe = profile_of(rollout(), confirmed(), employee(site_id="olpe"), [])
    assert {g.due_on for g in olpe.gaps} == {date(2027, 3, 1)}


def test_strengths_are_the_offered_competences_with_level_and_capacity():
    offer = {"competence_ids": ["sap-s4-co-pa", "excel-analysis", "s4-closing-cockpit"],
             "capacity": 3}  # fmt: skip
    mentor = employee(mentoring_offer=offer)
    levels = current_levels(mentor, [evidence("sap-s4-co-pa", 4, LevelSource.CONFIRMED)])
    assert [
        (s.competence_id, s.level, s.mentoring_capacity) for s in strengths_of(mentor, levels)
    ] == [
        ("excel-analysis", 3, 3),
        ("s4-closing-cockpit", 0, 3),
        ("sap-s4-co-pa", 4, 3),
    ]
    assert strengths_of(employee(), levels) == []


def test_content_is_equal_for_equal_inputs_and_changes_with_evidence():
    first = content(profile_of(rollout(), confirmed(), employee(), []))
    again = content(profile_of(rollout(), confirmed(), employee(), []))
    reached = [evidence("sap-s4-co-pa", 3, LevelSource.CONFIRMED)]
    assert first == again
    assert json.loads(json.dumps(first)) == first
    assert content(profile_of(rollout(), confirmed(), employee(), reached)) != first
