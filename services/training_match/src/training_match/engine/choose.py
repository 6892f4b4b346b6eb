"""The preference order for one gap of one learner, shared by both planning modes.

Tiers, the first that fits wins: a mentor, an internal workshop, an exchange circle at the
learner's site; the same three joined remotely; self-study; the cheapest external course.
Nothing fits: the gap stays unmatched. Explanations are cached, so that millions of
placements share a few thousand reason strings.
"""

import sys
import weakref
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import date

from gegenstrom_contracts.training_match import ItemKind
from training_match.engine.ledger import Ledger
from training_match.engine.model import IN_HOUSE, REMOTE, Gap, Learner, Offer, Placement
from training_match.engine.offers import OfferIndex

UNLIMITED = sys.maxsize
NO_EXCLUSIONS: frozenset[str] = frozenset()
SHOWN_ALTERNATIVES = 3  # a reason names at most this many of the offers it considered


@dataclass(frozen=True, slots=True)
class Tier:
    number: int  # 1 is the most preferred
    kind: ItemKind
    remote: bool  # joined from a site the offer is not held at
    says: str  # why this tier's offer was chosen; {offer} describes the offer


TIERS = (
    Tier(1, ItemKind.MENTOR, False, "in-house: {offer} at your site has a free place"),
    Tier(2, ItemKind.INTERNAL_WORKSHOP, False, "in-house: {offer} at your site has a free seat"),
    Tier(
        3,
        ItemKind.EXCHANGE_CIRCLE,
        False,
        "in-house: {offer} at your site joins up- and downstream process steps",
    ),
    Tier(4, ItemKind.MENTOR, True, "in-house: {offer} at another site has a free place (remote)"),
    Tier(
        5,
        ItemKind.INTERNAL_WORKSHOP,
        True,
        "in-house: {offer} at another site has a free seat (remote)",
    ),
    Tier(
        6,
        ItemKind.EXCHANGE_CIRCLE,
        True,
        "in-house: {offer} at another site joins up- and downstream process steps (remote)",
    ),
    Tier(
        7,
        ItemKind.SELF_STUDY,
        False,
        "{offer} reaches the target level; nothing in-house with a free place does",
    ),
    Tier(
        8,
        ItemKind.EXTERNAL_COURSE,
        False,
        "external: {offer} is the cheapest course that reaches the target level; "
        "nothing in-house or self-study with a free place does",
    ),
)
UNMATCHED_TIER = len(TIERS) + 1
LAST_CIRCLE_TIER = max(t.number for t in TIERS if t.kind is ItemKind.EXCHANGE_CIRCLE)
NOTHING_REACHES = "unmatched: nothing in-house or external reaches the target level"
IN_HOUSE_FULL = (
    "unmatched: nothing external reaches the target level and the in-house offers that do are full"
)
KIND_LABELS = {
    ItemKind.MENTOR: "mentor",
    ItemKind.INTERNAL_WORKSHOP: "internal workshop",
    ItemKind.EXCHANGE_CIRCLE: "exchange circle",
    ItemKind.SELF_STUDY: "self-study",
    ItemKind.EXTERNAL_COURSE: "external course",
}


def gap_order(gap: Gap) -> tuple[int, date, str, int]:
    """The order in which one learner's gaps are planned and listed."""
    return (gap.priority, gap.due_on or date.max, gap.competence_id, gap.target_level)


def ordered(learner: Learner, placements: Iterable[Placement]) -> tuple[Placement, ...]:
    """Placements in the order of the learner's gaps, preparation after the closing item;
    items whose gap is gone last, in the order given."""
    rank = {
        (g.competence_id, g.target_level): i
        for i, g in enumerate(sorted(learner.gaps, key=gap_order))
    }
    gone = len(rank)
    return tuple(
        sorted(
            placements,
            key=lambda p: (rank.get((p.competence_id, p.target_level), gone), not p.closes_gap),
        )
    )


def describe(offer: Offer) -> str:
    """Kind, title and id, and the price if there is one: no personal data."""
    label = KIND_LABELS.get(offer.kind, str(offer.kind))
    price = [f"{offer.cost_eur:,.0f} EUR"] if offer.cost_eur else []
    if offer.title:
        return f"{label} '{offer.title}' ({', '.join([offer.offer_id, *price])})"
    return f"{label} {offer.offer_id}" + (f" ({price[0]})" if price else "")


def admits(offer: Offer, learner: Learner, excluded: frozenset[str]) -> bool:
    """Not excluded for the learner, and not hosted by the learner."""
    return offer.offer_id not in excluded and offer.host_id != learner.employee_id


def group_key(tier: Tier, learner: Learner) -> str | None:
    if tier.kind not in IN_HOUSE:
        return None
    return REMOTE if tier.remote else learner.site_id


def mentor_room(offer: Offer, ledger: Ledger) -> int:
    """Free places of a mentor: capacity less current mentees."""
    if offer.capacity is None:
        return UNLIMITED
    return offer.capacity - ledger.used(offer.offer_id)


def roomiest_mentor(offers: Iterable[Offer], ledger: Ledger) -> Offer | None:
    """The mentor with the most free places; ties: the first given (lowest offer id)."""
    best, room = None, 0
    for offer in offers:
        free = mentor_room(offer, ledger)
        if free > room:
            best, room = offer, free
    return best


def open_group(offer: Offer, key: str, process_id: str | None, ledger: Ledger) -> str | None:
    """A group at the key with a free seat: for a circle the one with the fewest members of
    the learner's process step, then the lowest run; for a workshop the lowest run."""
    best, fewest = None, UNLIMITED
    for group_id in ledger.groups(offer.offer_id, key):
        if offer.capacity is not None and ledger.used(group_id) >= offer.capacity:
            continue
        if offer.kind is not ItemKind.EXCHANGE_CIRCLE:
            return group_id
        same_step = ledger.used_by_process(group_id, process_id)
        if same_step < fewest:
            best, fewest = group_id, same_step
    return best


def runs_left(offer: Offer, key: str, ledger: Ledger) -> int:
    """How many more groups the offer may open at the key."""
    if offer.capacity is not None and offer.capacity <= 0:
        return 0
    if offer.runs is None:
        return UNLIMITED
    return max(0, offer.runs - len(ledger.groups(offer.offer_id, key)))


def seat(offer: Offer, key: str, process_id: str | None, ledger: Ledger) -> str | None:
    """Join a group with a free seat, else the next run if the offer may open one."""
    found = open_group(offer, key, process_id, ledger)
    if found is None and runs_left(offer, key, ledger) > 0:
        found = ledger.next_group_id(offer.offer_id, key)
    return found


PLACEMENT_FIELDS = (
    "employee_id",
    "competence_id",
    "target_level",
    "kind",
    "hours",
    "cost_eur",
    "reason",
    "offer_id",
    "group_key",
    "group_id",
    "host_id",
    "process_id",
    "starts_on",
    "due_on",
    "closes_gap",
    "considered",
    "external_equivalent_eur",
)


def _slot_setters() -> tuple[Callable[[Placement, object], None], ...]:
    """The setters of Placement's slots, in field order."""
    names = tuple(f.name for f in fields(Placement))
    if names != PLACEMENT_FIELDS:
        raise RuntimeError("Placement's fields changed: update choose.build_placement")
    return tuple(getattr(Placement, name).__set__ for name in names)


(
    _employee_id,
    _competence_id,
    _target_level,
    _kind,
    _hours,
    _cost_eur,
    _reason,
    _offer_id,
    _group_key,
    _group_id,
    _host_id,
    _process_id,
    _starts_on,
    _due_on,
    _closes_gap,
    _considered,
    _external_equivalent_eur,
) = _slot_setters()


def build_placement(
    learner: Learner,
    gap: Gap,
    offer: Offer,
    group_key: str | None,
    group_id: str | None,
    explanation: "Explanation",
    closes_gap: bool = True,
) -> Placement:
    """The learner's placement in the offer for the gap.

    Sets the slots directly: a frozen dataclass's ``__init__`` goes through
    ``object.__setattr__`` for each field, which doubles the cost, and a rollout makes
    millions of placements.
    """
    considered, reason, equivalent = explanation
    placement = object.__new__(Placement)
    _employee_id(placement, learner.employee_id)
    _competence_id(placement, gap.competence_id)
    _target_level(placement, gap.target_level)
    _kind(placement, offer.kind)
    _hours(placement, offer.hours)
    _cost_eur(placement, offer.cost_eur)
    _reason(placement, reason)
    _offer_id(placement, offer.offer_id)
    _group_key(placement, group_key)
    _group_id(placement, group_id)
    _host_id(placement, offer.host_id)
    _process_id(placement, learner.process_id)
    _starts_on(placement, offer.starts_on)
    _due_on(placement, gap.due_on)
    _closes_gap(placement, closes_gap)
    _considered(placement, considered)
    _external_equivalent_eur(placement, equivalent)
    return placement


Explanation = tuple[tuple[str, ...], str, float]  # considered, reason, external equivalent
Preparing = tuple[Offer, None, None, Explanation]  # a preparation's offer, no group, why


class Chooser:
    """Ranked candidates per tier and cached explanations, for one offer index."""

    def __init__(self, index: OfferIndex) -> None:
        self.index = index
        self._candidates: dict[tuple[int, str, int, str, str | None], tuple[Offer, ...]] = {}
        self._explained: dict[tuple[str, int, str, str | None, int, str | None], Explanation] = {}
        self._reasons: dict[tuple[str | None, int, tuple[str, ...]], str] = {}
        self._prepared: dict[tuple[str, int], str] = {}

    def is_plain(self, learner: Learner, excluded: frozenset[str]) -> bool:
        """Nothing excluded and hosting nothing: the cached candidate lists apply as they are."""
        return not excluded and learner.employee_id not in self.index.host_ids

    def candidates(self, tier: Tier, learner: Learner, gap: Gap) -> tuple[Offer, ...]:
        """The tier's offers that close the gap and serve the learner's site (and process step,
        for circles), in rank order; capacity, exclusions and hosts aside."""
        process_id = learner.process_id if tier.kind is ItemKind.EXCHANGE_CIRCLE else None
        key = (tier.number, gap.competence_id, gap.target_level, learner.site_id, process_id)
        found = self._candidates.get(key)
        if found is None:
            found = self._find(tier, gap, learner.site_id, process_id)
            self._candidates[key] = found
        return found

    def _find(
        self, tier: Tier, gap: Gap, site_id: str, process_id: str | None
    ) -> tuple[Offer, ...]:
        index, competence_id, level = self.index, gap.competence_id, gap.target_level
        if tier.kind is ItemKind.EXTERNAL_COURSE:
            return index.externals(competence_id, level, site_id)
        if tier.kind is ItemKind.SELF_STUDY:
            return index.closing(competence_id, level, tier.kind)
        found = index.serving(competence_id, level, tier.kind, site_id, tier.remote)
        if tier.kind is ItemKind.EXCHANGE_CIRCLE:
            found = tuple(o for o in found if not o.chain or process_id in o.chain)
        return found

    def admitted(
        self, tier: Tier, learner: Learner, gap: Gap, excluded: frozenset[str]
    ) -> Sequence[Offer]:
        found = self.candidates(tier, learner, gap)
        if self.is_plain(learner, excluded):
            return found
        return [o for o in found if admits(o, learner, excluded)]

    def considered(
        self, learner: Learner, gap: Gap, tier_number: int, excluded: frozenset[str]
    ) -> tuple[str, ...]:
        """The best candidate of each tier below the chosen one."""
        found = []
        for tier in TIERS[tier_number:]:
            admitted = self.admitted(tier, learner, gap, excluded)
            if admitted:
                found.append(admitted[0].offer_id)
        return tuple(found)

    def closing(
        self,
        learner: Learner,
        gap: Gap,
        tier: Tier,
        offer: Offer,
        group_id: str | None,
        excluded: frozenset[str],
    ) -> Placement:
        """The placement of a learner in an offer that closes the gap."""
        explanation = self.explain(learner, gap, tier.number, offer, excluded)
        key = None if group_id is None else group_key(tier, learner)
        return build_placement(learner, gap, offer, key, group_id, explanation)

    def unmatched(self, learner: Learner, gap: Gap, excluded: frozenset[str]) -> Placement:
        _, reason, equivalent = self.explain(learner, gap, UNMATCHED_TIER, None, excluded)
        return Placement(
            employee_id=learner.employee_id,
            competence_id=gap.competence_id,
            target_level=gap.target_level,
            kind=ItemKind.UNMATCHED,
            hours=0.0,
            cost_eur=0.0,
            reason=reason,
            process_id=learner.process_id,
            due_on=gap.due_on,
            external_equivalent_eur=equivalent,
        )

    def preparation(self, learner: Learner, gap: Gap, excluded: frozenset[str]) -> Placement | None:
        """The self-study item that gets closest to the target without reaching it, if any."""
        found = self.preparing(learner, gap, excluded)
        return None if found is None else build_placement(learner, gap, *found, closes_gap=False)

    def preparing(self, learner: Learner, gap: Gap, excluded: frozenset[str]) -> Preparing | None:
        """The preparation offer for the gap with its explanation, for ``build_placement``."""
        index = self.index
        for offer in index.preparations(gap.competence_id, gap.current_level, gap.target_level):
            if admits(offer, learner, excluded):
                return (
                    offer,
                    None,
                    None,
                    ((), self._preparation_reason(offer, gap.target_level), 0.0),
                )
        return None

    def explain(
        self,
        learner: Learner,
        gap: Gap,
        tier_number: int,
        offer: Offer | None,
        excluded: frozenset[str],
    ) -> Explanation:
        """What else was considered, why this was chosen, the external equivalent; cached
        for learners whose candidates are the cached ones."""
        plain = self.is_plain(learner, excluded)
        site_id, process_id = learner.site_id, learner.process_id
        if LAST_CIRCLE_TIER <= tier_number < UNMATCHED_TIER:
            process_id = None  # no circle left to consider: the process step plays no part
        offer_id = None if offer is None else offer.offer_id
        key = (gap.competence_id, gap.target_level, site_id, process_id, tier_number, offer_id)
        if plain and (found := self._explained.get(key)) is not None:
            return found
        considered = self.considered(learner, gap, tier_number, excluded)
        reason = self._reason(tier_number, offer, considered, learner, gap, excluded)
        cheapest = self.index.cheapest_external(gap.competence_id, gap.target_level, site_id)
        explanation = (considered, reason, 0.0 if cheapest is None else cheapest.cost_eur)
        if plain:
            self._explained[key] = explanation
        return explanation

    def _reason(
        self,
        tier_number: int,
        offer: Offer | None,
        considered: tuple[str, ...],
        learner: Learner,
        gap: Gap,
        excluded: frozenset[str],
    ) -> str:
        if offer is None:
            in_house = (t for t in TIERS if t.kind in IN_HOUSE)
            full = any(self.admitted(t, learner, gap, excluded) for t in in_house)
            return IN_HOUSE_FULL if full else NOTHING_REACHES
        key = (offer.offer_id, tier_number, considered)
        found = self._reasons.get(key)
        if found is None:
            found = TIERS[tier_number - 1].says.format(offer=describe(offer))
            if considered:
                found += "; also considered: " + self._alternatives(considered)
            self._reasons[key] = found
        return found

    def _alternatives(self, considered: tuple[str, ...]) -> str:
        shown = [describe(o) for i in considered[:SHOWN_ALTERNATIVES] if (o := self.index.get(i))]
        more = len(considered) - SHOWN_ALTERNATIVES
        return ", ".join(shown) + (f" and {more} more" if more > 0 else "")

    def _preparation_reason(self, offer: Offer, target_level: int) -> str:
        key = (offer.offer_id, target_level)
        found = self._prepared.get(key)
        if found is None:
            found = (
                f"preparation: {describe(offer)} reaches level {offer.reaches_level} "
                f"on the way to level {target_level}"
            )
            self._prepared[key] = found
        return found


_CHOOSERS: "weakref.WeakKeyDictionary[OfferIndex, Chooser]" = weakref.WeakKeyDictionary()


def chooser_for(index: OfferIndex) -> Chooser:
    """The one chooser (and so the one set of caches) of an offer index."""
    found = _CHOOSERS.get(index)
    if found is None:
        found = _CHOOSERS[index] = Chooser(index)
    return found


def needs_preparation(closing: Placement) -> bool:
    """Self-study closes the gap by itself; other items and unmatched gaps get preparation."""
    return closing.kind is not ItemKind.SELF_STUDY
