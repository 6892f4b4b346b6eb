"""Re-plan one learner against the capacity everyone else already uses.

Used on a profile update, a declined mentor or a rejected external course: the learner's
items that still fit are kept (plans do not churn), the rest is released and planned anew.
"""

from collections.abc import Sequence
from dataclasses import replace

from gegenstrom_contracts.training_match import ItemKind
from training_match.engine.choose import (
    NO_EXCLUSIONS,
    TIERS,
    Chooser,
    Tier,
    admits,
    chooser_for,
    gap_order,
    group_key,
    needs_preparation,
    ordered,
    roomiest_mentor,
    seat,
)
from training_match.engine.ledger import Ledger
from training_match.engine.model import (
    GROUPED,
    IN_HOUSE,
    REMOTE,
    Gap,
    Learner,
    Offer,
    Placement,
    Plan,
)
from training_match.engine.offers import OfferIndex

GapKey = tuple[str, int]  # (competence_id, target_level)


def plan_one(
    learner: Learner,
    offers: OfferIndex,
    ledger: Ledger,
    *,
    previous: Sequence[Placement] = (),
    pinned: frozenset[str] = frozenset(),
    excluded: frozenset[str] = NO_EXCLUSIONS,
) -> Plan:
    """The learner's new plan; ``previous`` placements are in the ledger, which this updates.

    ``pinned`` holds the keys of items kept as they are even when their gap is gone.
    """
    chooser = chooser_for(offers)
    gaps = {(g.competence_id, g.target_level): g for g in learner.gaps}
    kept, covered, prepared = _keep(learner, gaps, offers, ledger, previous, pinned, excluded)
    placements = list(kept)
    for key, gap in sorted(gaps.items(), key=lambda item: gap_order(item[1])):
        closing = covered.get(key)
        if closing is None:
            closing = _choose(learner, gap, chooser, ledger, excluded)
            placements.append(closing)
        if key not in prepared and needs_preparation(closing):
            preparation = chooser.preparation(learner, gap, excluded)
            if preparation is not None:
                placements.append(preparation)
    return Plan(learner.employee_id, ordered(learner, placements))


def _keep(
    learner: Learner,
    gaps: dict[GapKey, Gap],
    offers: OfferIndex,
    ledger: Ledger,
    previous: Sequence[Placement],
    pinned: frozenset[str],
    excluded: frozenset[str],
) -> tuple[list[Placement], dict[GapKey, Placement], set[GapKey]]:
    """Pinned items and closing items that still fit; release the others from the ledger.

    Returns the kept items, the closing item per covered gap and the gaps with a pinned
    preparation item.
    """
    kept: list[Placement] = []
    covered: dict[GapKey, Placement] = {}
    prepared: set[GapKey] = set()
    for placement in previous:
        if placement.key in pinned:
            kept.append(placement)
            key = (placement.competence_id, placement.target_level)
            if placement.closes_gap:
                covered.setdefault(key, placement)
            else:
                prepared.add(key)
    for placement in previous:
        if placement.key in pinned:
            continue
        key = (placement.competence_id, placement.target_level)
        gap = gaps.get(key)
        if (
            placement.closes_gap
            and key not in covered
            and gap is not None
            and _still_fits(placement, gap, learner, offers.get(placement.offer_id), excluded)
        ):
            placement = _priced_for(placement, gap, learner, offers)
            kept.append(placement)
            covered[key] = placement
        else:
            ledger.release(placement)
    return kept, covered, prepared


def _priced_for(placement: Placement, gap: Gap, learner: Learner, offers: OfferIndex) -> Placement:
    """The kept item with the external equivalent at the learner's site (they may have moved)."""
    cheapest = offers.cheapest_external(gap.competence_id, gap.target_level, learner.site_id)
    cost = cheapest.cost_eur if cheapest else 0.0
    if placement.external_equivalent_eur == cost:
        return placement
    return replace(placement, external_equivalent_eur=cost)


def _still_fits(
    placement: Placement,
    gap: Gap,
    learner: Learner,
    offer: Offer | None,
    excluded: frozenset[str],
) -> bool:
    """The offer still exists, closes the gap, is allowed and serves the learner as placed."""
    if offer is None or offer.kind is not placement.kind or not offer.closes(gap):
        return False
    if not admits(offer, learner, excluded):
        return False
    if offer.kind is ItemKind.EXTERNAL_COURSE:
        return offer.remote or learner.site_id in offer.site_ids
    circle = offer.kind is ItemKind.EXCHANGE_CIRCLE
    if circle and offer.chain and learner.process_id not in offer.chain:
        return False
    if offer.kind in IN_HOUSE:
        at_site = learner.site_id in offer.site_ids
        if placement.group_key == REMOTE:
            return offer.remote and not at_site
        return placement.group_key == learner.site_id and at_site
    return True


def _choose(
    learner: Learner,
    gap: Gap,
    chooser: Chooser,
    ledger: Ledger,
    excluded: frozenset[str],
) -> Placement:
    """The first tier that fits, reserved in the ledger; else unmatched."""
    for tier in TIERS:
        offers = chooser.admitted(tier, learner, gap, excluded)
        if not offers:
            continue
        fit = _fit(tier, offers, learner, ledger)
        if fit is not None:
            offer, group_id = fit
            placement = chooser.closing(learner, gap, tier, offer, group_id, excluded)
            ledger.reserve(placement)
            return placement
    return chooser.unmatched(learner, gap, excluded)


def _fit(
    tier: Tier, offers: Sequence[Offer], learner: Learner, ledger: Ledger
) -> tuple[Offer, str | None] | None:
    """The tier's offer with room for the learner, and the group the learner joins."""
    if tier.kind is ItemKind.MENTOR:
        mentor = roomiest_mentor(offers, ledger)
        return None if mentor is None else (mentor, mentor.offer_id)
    if tier.kind in GROUPED:
        key = group_key(tier, learner)
        assert key is not None
        for offer in offers:
            group_id = seat(offer, key, learner.process_id, ledger)
            if group_id is not None:
                return offer, group_id
        return None
    return offers[0], None
