"""Pure rules of training-match and notification (profiling: test_profiling_rules.py)."""

from gegenstrom_contracts.profiling import CompetenceGap, CompetenceProfileUpdated
from gegenstrom_contracts.training_match import ItemKind
from notification.domain import plan_message
from training_match.domain import plan_items, totals


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
