"""Hours, costs and the in-house share of a set of placements (one plan or many)."""

from collections.abc import Iterable
from dataclasses import dataclass

from gegenstrom_contracts.training_match import ItemKind
from training_match.engine.model import IN_HOUSE, Placement

SHARED = IN_HOUSE | {ItemKind.SELF_STUDY}  # what counts as learning from and within the company


@dataclass(frozen=True, slots=True)
class Totals:
    """``all_external_cost_eur``: had every gap gone to the cheapest external course;
    ``in_house_share``: in-house and self-study items among all gaps (unmatched included)."""

    hours: float = 0.0
    cost_eur: float = 0.0
    external_cost_eur: float = 0.0
    all_external_cost_eur: float = 0.0
    external_cost_avoided_eur: float = 0.0
    in_house_share: float = 0.0


def plan_totals(placements: Iterable[Placement]) -> Totals:
    """Preparation items add hours and cost, but count neither as gaps nor for the share."""
    hours = cost = external = all_external = 0.0
    gaps = shared = 0
    for placement in placements:
        hours += placement.hours
        cost += placement.cost_eur
        if placement.kind is ItemKind.EXTERNAL_COURSE:
            external += placement.cost_eur
        if placement.closes_gap:
            gaps += 1
            shared += placement.kind in SHARED
            all_external += placement.external_equivalent_eur
    return Totals(
        hours=hours,
        cost_eur=cost,
        external_cost_eur=external,
        all_external_cost_eur=all_external,
        external_cost_avoided_eur=max(0.0, all_external - external),
        in_house_share=shared / gaps if gaps else 0.0,
    )
