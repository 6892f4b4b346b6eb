"""Pure rules of notification (profiling: test_profiling_rules.py; training-match:
test_matching_engine.py)."""

from gegenstrom_contracts.training_match import (
    ItemKind,
    LearningPlanItem,
    LearningPlanUpdated,
    PlanTotals,
)
from notification.domain import plan_message

NO_TOTALS = PlanTotals(hours=0, cost_eur=0, external_cost_avoided_eur=0, in_house_share=0)


def plan(version: int, *competences: str) -> LearningPlanUpdated:
    items = [
        LearningPlanItem(item_id=f"{c}@3", competence_id=c, target_level=3,
                         kind=ItemKind.UNMATCHED, hours=0, cost_eur=0, reason="none yet")
        for c in competences
    ]  # fmt: skip
    return LearningPlanUpdated(
        employee_id="emp-1",
        rollout_id="r",
        plan_version=version,
        profile_version=version,
        items=items,
        totals=NO_TOTALS,
    )


def test_plan_message_is_keyed_by_recipient_rollout_and_version():
    message = plan_message(plan(2, "excel"), "de")
    assert message.id == "emp-1:r:plan:2"
    assert message.title == "Dein Lernplan wurde aktualisiert"
    assert "1 Lernschritt" in message.body


def test_plan_message_speaks_the_recipients_language_or_german():
    first = plan(1, "excel", "sap")
    english = plan_message(first, "en")
    assert (english.title, english.language) == ("Your learning plan is ready", "en")
    assert "2 learning step(s)" in english.body
    assert plan_message(first, "cs").title == "Dein Lernplan ist da"
