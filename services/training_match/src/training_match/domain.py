"""Learning-plan rules. Pure: no I/O.

The walking skeleton knows no learning offers yet, so every gap becomes an ``unmatched``
item that says so; the in-house-first matching engine replaces this (a later issue).
"""

from gegenstrom_contracts.profiling import CompetenceProfileUpdated
from gegenstrom_contracts.training_match import ItemKind, LearningPlanItem, PlanTotals


def plan_items(profile: CompetenceProfileUpdated) -> list[LearningPlanItem]:
    return [
        LearningPlanItem(
            item_id=f"{gap.competence_id}@{gap.target_level}",
            competence_id=gap.competence_id,
            target_level=gap.target_level,
            kind=ItemKind.UNMATCHED,
            hours=0,
            cost_eur=0,
            reason=f"gap of {gap.size} level(s); no learning offers are known yet",
        )
        for gap in profile.gaps
    ]


def totals(items: list[LearningPlanItem]) -> PlanTotals:
    in_house = {ItemKind.MENTOR, ItemKind.INTERNAL_WORKSHOP, ItemKind.EXCHANGE_CIRCLE}
    matched = [i for i in items if i.kind is not ItemKind.UNMATCHED]
    share = sum(i.kind in in_house for i in matched) / len(matched) if matched else 0.0
    return PlanTotals(
        hours=sum(i.hours for i in items),
        cost_eur=sum(i.cost_eur for i in items),
        external_cost_avoided_eur=0,
        in_house_share=share,
    )
