"""Pure rules of profiling, training-match and notification."""

from gegenstrom_contracts.intake import EmployeeInputSubmitted
from gegenstrom_contracts.profiling import CompetenceGap, CompetenceProfileUpdated
from gegenstrom_contracts.training_match import ItemKind
from notification.domain import plan_message
from profiling.domain import profile_of
from support.factories import input_event
from training_match.domain import plan_items, totals


def employee_input(**changes) -> EmployeeInputSubmitted:
    return input_event("emp-1", **changes).data  # type: ignore[return-value]


def test_gap_is_target_minus_self_rating_and_unrated_counts_as_zero():
    profile = profile_of(employee_input())
    assert [(g.competence_id, g.current_level, g.target_level, g.size) for g in profile.gaps] == [
        ("kpi-reading", 1, 3, 2),
        ("mobile-devices", 0, 2, 2),
    ]


def test_a_wish_already_reached_is_no_gap():
    profile = profile_of(
        employee_input(learning_wishes=[{"competence_id": "spreadsheets", "target_level": 3}])
    )
    assert profile.gaps == []


def test_strengths_come_from_the_mentoring_offer_with_its_capacity():
    [strength] = profile_of(employee_input()).strengths
    assert (strength.competence_id, strength.level, strength.mentoring_capacity) == (
        "spreadsheets",
        3,
        2,
    )


def test_profile_does_not_depend_on_the_order_of_wishes():
    wishes = employee_input().learning_wishes
    reordered = employee_input(learning_wishes=[w.model_dump() for w in reversed(wishes)])
    assert profile_of(reordered) == profile_of(employee_input())


def profile(*gaps: tuple[str, int, int]) -> CompetenceProfileUpdated:
    return CompetenceProfileUpdated(
        employee_id="emp-1",
        rollout_id="r",
        profile_version=1,
        input_version=1,
        site_id="s",
        gaps=[
            CompetenceGap(competence_id=c, current_level=a, target_level=b, size=b - a)
            for c, a, b in gaps
        ],
    )


def test_every_gap_gets_one_plan_item_that_says_why():
    items = plan_items(profile(("excel", 1, 3), ("sap", 0, 2)))
    assert [(i.competence_id, i.target_level, i.kind) for i in items] == [
        ("excel", 3, ItemKind.UNMATCHED),
        ("sap", 2, ItemKind.UNMATCHED),
    ]
    assert all("gap of 2 level(s)" in i.reason for i in items)
    assert totals(items).in_house_share == 0 and totals(items).cost_eur == 0


def test_plan_message_is_keyed_by_recipient_rollout_and_version():
    from gegenstrom_contracts.training_match import LearningPlanUpdated, PlanTotals

    plan = LearningPlanUpdated(
        employee_id="emp-1",
        rollout_id="r",
        plan_version=2,
        profile_version=2,
        items=plan_items(profile(("excel", 1, 3))),
        totals=PlanTotals(hours=0, cost_eur=0, external_cost_avoided_eur=0, in_house_share=0),
    )
    message = plan_message(plan, "de")
    assert message.id == "emp-1:r:plan:2"
    assert message.title == "Dein Lernplan wurde aktualisiert"
    assert "1 Lernschritt" in message.body


def test_plan_message_speaks_the_recipients_language_or_german():
    from gegenstrom_contracts.training_match import LearningPlanUpdated, PlanTotals

    plan = LearningPlanUpdated(
        employee_id="emp-1",
        rollout_id="r",
        plan_version=1,
        profile_version=1,
        items=plan_items(profile(("excel", 1, 3), ("sap", 0, 1))),
        totals=PlanTotals(hours=0, cost_eur=0, external_cost_avoided_eur=0, in_house_share=0),
    )
    english = plan_message(plan, "en")
    assert (english.title, english.language) == ("Your learning plan is ready", "en")
    assert "2 learning step(s)" in english.body
    assert plan_message(plan, "cs").title == "Dein Lernplan ist da"
