"""Plan items as stored and published: an engine placement with a status."""

from collections.abc import Mapping
from datetime import date

from gegenstrom_contracts.training_match import ItemKind, ItemStatus, LearningPlanItem, PlanTotals
from training_match.engine import REMOTE, Offer, Placement, Totals

# Items in these states hold their place: re-planning keeps them as they are.
KEPT = frozenset(
    {ItemStatus.ACCEPTED, ItemStatus.STARTED, ItemStatus.COMPLETED, ItemStatus.CONFIRMED}
)
FIRST_STATUS = {
    ItemKind.MENTOR: ItemStatus.REQUESTED,
    ItemKind.EXTERNAL_COURSE: ItemStatus.AWAITING_APPROVAL,
}


def first_status(placement: Placement) -> ItemStatus:
    return FIRST_STATUS.get(placement.kind, ItemStatus.PLANNED)


def to_item(placement: Placement, status: ItemStatus, offers: Mapping[str, Offer]) -> dict:
    """The stored item: the public fields plus what the ledger needs to rebuild it."""
    offer = offers.get(placement.offer_id or "")
    public = LearningPlanItem(
        item_id=placement.key,
        competence_id=placement.competence_id,
        target_level=placement.target_level,
        kind=placement.kind,
        status=status,
        hours=placement.hours,
        cost_eur=placement.cost_eur,
        reason=placement.reason,
        offer_id=placement.offer_id,
        offer_title=offer.title if offer else "",
        group_id=placement.group_id,
        host_id=placement.host_id,
        remote=placement.group_key == REMOTE,
        starts_on=placement.starts_on,
        due_on=placement.due_on,
        closes_gap=placement.closes_gap,
        considered=list(placement.considered),
        external_equivalent_eur=placement.external_equivalent_eur,
    )
    return {
        **public.model_dump(mode="json"),
        "group_key": placement.group_key,
        "process_id": placement.process_id,
    }


def to_placement(employee_id: str, item: dict) -> Placement:
    return Placement(
        employee_id=employee_id,
        competence_id=item["competence_id"],
        target_level=item["target_level"],
        kind=ItemKind(item["kind"]),
        hours=item["hours"],
        cost_eur=item["cost_eur"],
        reason=item["reason"],
        offer_id=item["offer_id"],
        group_key=item["group_key"],
        group_id=item["group_id"],
        host_id=item["host_id"],
        process_id=item["process_id"],
        starts_on=_date(item["starts_on"]),
        due_on=_date(item["due_on"]),
        closes_gap=item["closes_gap"],
        considered=tuple(item["considered"]),
        external_equivalent_eur=item["external_equivalent_eur"],
    )


def public_item(item: dict) -> LearningPlanItem:
    return LearningPlanItem.model_validate(
        {k: v for k, v in item.items() if k not in ("group_key", "process_id")}
    )


def plan_totals(totals: Totals) -> PlanTotals:
    return PlanTotals(
        hours=totals.hours,
        cost_eur=totals.cost_eur,
        external_cost_eur=totals.external_cost_eur,
        all_external_cost_eur=totals.all_external_cost_eur,
        external_cost_avoided_eur=totals.external_cost_avoided_eur,
        in_house_share=totals.in_house_share,
    )


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None
