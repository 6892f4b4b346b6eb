"""Plan all gaps of a rollout at once, tier by tier over every gap.

Gaps are taken in one global order (due date, priority, employee, competence). Mentor
tiers place gaps greedily in that order; workshop and circle tiers form whole groups per
offer and group key from every gap still open, so that groups reach their minimum size,
sizes are balanced and circles mix process steps. What a tier leaves falls through to the
next one.
"""

import gc
import math
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date
from types import MappingProxyType

from gegenstrom_contracts.training_match import ItemKind
from training_match.engine.choose import (
    NO_EXCLUSIONS,
    TIERS,
    UNLIMITED,
    Explanation,
    Preparing,
    Tier,
    admits,
    build_placement,
    chooser_for,
    gap_order,
    mentor_room,
    open_group,
    ordered,
    runs_left,
)
from training_match.engine.ledger import Ledger
from training_match.engine.model import GROUPED, REMOTE, Gap, Learner, Offer, Placement, Plan
from training_match.engine.offers import OfferIndex

SELF_STUDY = ItemKind.SELF_STUDY
NOTHING_PINNED: Mapping[str, Sequence[Placement]] = MappingProxyType({})
NOTHING_EXCLUDED: Mapping[str, frozenset[str]] = MappingProxyType({})


def plan_rollout(
    learners: Sequence[Learner],
    offers: OfferIndex,
    ledger: Ledger,
    *,
    pinned: Mapping[str, Sequence[Placement]] = NOTHING_PINNED,
    excluded: Mapping[str, frozenset[str]] = NOTHING_EXCLUDED,
) -> dict[str, Plan]:
    """Every learner's plan by employee id; reserves the new placements in the ledger.

    ``pinned`` placements (per employee) are in the ledger already; they are kept and their
    gaps are not planned again.
    """
    with _collector_paused():
        return _Rollout(learners, offers, ledger, pinned, excluded).plans()


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector. Planning makes no reference cycles, and the
    collector's passes over millions of new placements cost about as much as the planning."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class _Rollout:
    """One run. Gaps are numbered; per-gap facts sit in flat lists indexed by that number.

    A gap's profile (competence, target level, site) decides its mentors, self-study and
    external candidates and their explanations, so these are worked out once per profile
    for learners whose candidates are the cached ones ("plain": nothing excluded, hosting
    nothing). Preparation depends on (competence, current level, target level) instead.
    """

    def __init__(
        self,
        learners: Sequence[Learner],
        offers: OfferIndex,
        ledger: Ledger,
        pinned: Mapping[str, Sequence[Placement]],
        excluded: Mapping[str, frozenset[str]],
    ) -> None:
        self.learners = sorted(learners, key=lambda learner: learner.employee_id)
        self.offers, self.ledger = offers, ledger
        self.chooser = chooser_for(offers)
        self.pinned, self.excluded = pinned, excluded
        self.gaps: list[Gap] = []
        self.owner: list[Learner] = []  # the learner of each gap
        self.profile: list[int] = []  # the profile number of each gap
        self.plain: list[bool] = []  # whether the gap's learner is plain
        self.spans: list[range] = []  # each learner's gap numbers, in the learner's gap order
        self._collect()
        self.chosen: list[Placement | None] = [None] * len(self.gaps)

    def _collect(self) -> None:
        profiles: dict[tuple[str, int, str], int] = {}
        gaps, owner, profile, plain = self.gaps, self.owner, self.profile, self.plain
        for learner in self.learners:
            start, site_id = len(gaps), learner.site_id
            is_plain = self.chooser.is_plain(learner, self._excluded(learner))
            covered = self._pinned_keys(learner, closing=True) if self.pinned else set()
            for gap in sorted(learner.gaps, key=gap_order):
                key = (gap.competence_id, gap.target_level, site_id)
                if key in covered:
                    continue  # pinned, or the same gap twice
                covered.add(key)
                found = profiles.get(key)
                if found is None:
                    found = profiles[key] = len(profiles)
                profile.append(found)
                gaps.append(gap)
                owner.append(learner)
                plain.append(is_plain)
            self.spans.append(range(start, len(gaps)))

    def _pinned_keys(self, learner: Learner, *, closing: bool) -> set[tuple[str, int, str]]:
        """(competence, target level, the learner's site) of the learner's pinned items."""
        return {
            (p.competence_id, p.target_level, learner.site_id)
            for p in self.pinned.get(learner.employee_id, ())
            if p.closes_gap is closing
        }

    def _excluded(self, learner: Learner) -> frozenset[str]:
        if not self.excluded:
            return NO_EXCLUSIONS
        return self.excluded.get(learner.employee_id, NO_EXCLUSIONS)

    def plans(self) -> dict[str, Plan]:
        remaining, chosen = self._global_order(), self.chosen
        by_key = self._by_key(remaining)
        for tier in TIERS:
            if tier.kind is ItemKind.MENTOR:
                placed = self._mentors(tier, remaining)
            elif tier.kind in GROUPED:
                placed = self._groups(tier, by_key)
            else:
                placed = self._singles(tier, remaining)
            if placed * 10 > len(remaining):  # else the tiers skip placed gaps themselves
                remaining = [g for g in remaining if chosen[g] is None]
        for g in remaining:
            if chosen[g] is None:
                learner = self.owner[g]
                chosen[g] = self.chooser.unmatched(learner, self.gaps[g], self._excluded(learner))
        return self._assemble()

    def _global_order(self) -> list[int]:
        """Gap numbers by due date, priority, employee id, competence id.

        Gap numbers already run by employee id and, per employee, by competence within one
        priority and due date; so gaps sort on (due date rank, priority rank, gap number),
        packed into one int each.
        """
        gaps, latest, count = self.gaps, date.max, len(self.gaps)
        due_rank = {d: i for i, d in enumerate(sorted({g.due_on or latest for g in gaps}))}
        priority_rank = {p: i for i, p in enumerate(sorted({g.priority for g in gaps}))}
        width = len(priority_rank)
        packed = [
            ((due_rank[gap.due_on or latest] * width) + priority_rank[gap.priority]) * count + g
            for g, gap in enumerate(gaps)
        ]
        packed.sort()
        return [key % count for key in packed]

    def _by_key(self, order: list[int]) -> dict[tuple[str, str], list[int]]:
        """Gap numbers per (competence, site) and per (competence, REMOTE), in global order."""
        found: dict[tuple[str, str], list[int]] = {}
        of_profile: dict[int, tuple[list[int], list[int]]] = {}
        profile = self.profile
        for g in order:
            lists = of_profile.get(profile[g])
            if lists is None:
                competence_id = self.gaps[g].competence_id
                here = found.setdefault((competence_id, self.owner[g].site_id), [])
                lists = of_profile[profile[g]] = (
                    here,
                    found.setdefault((competence_id, REMOTE), []),
                )
            lists[0].append(g)
            lists[1].append(g)
        return found

    # --- mentors: greedy in global order ------------------------------------------------

    def _mentors(self, tier: Tier, remaining: list[int]) -> int:
        chooser, ledger, chosen, profile = self.chooser, self.ledger, self.chosen, self.profile
        live: dict[int, list[Offer]] = {}  # mentors with room, per profile
        placed = 0
        for g in remaining:
            if chosen[g] is not None:
                continue
            mentors = live.get(profile[g])
            if mentors is None:
                candidates = chooser.candidates(tier, self.owner[g], self.gaps[g])
                mentors = [o for o in candidates if mentor_room(o, ledger) > 0]
                live[profile[g]] = mentors
            if not mentors:
                continue
            learner = self.owner[g]
            excluded = self._excluded(learner)
            mentor = self._roomiest(mentors, learner, excluded, self.plain[g])
            if mentor is not None:
                placement = chooser.closing(
                    learner, self.gaps[g], tier, mentor, mentor.offer_id, excluded
                )
                ledger.reserve(placement)
                chosen[g] = placement
                placed += 1
        return placed

    def _roomiest(
        self, mentors: list[Offer], learner: Learner, excluded: frozenset[str], plain: bool
    ) -> Offer | None:
        """As ``roomiest_mentor``, for the learner; drops mentors that are full."""
        best, room, full = None, 0, False
        for mentor in mentors:
            free = mentor_room(mentor, self.ledger)
            if free <= 0:
                full = True
            elif free > room and (plain or admits(mentor, learner, excluded)):
                best, room = mentor, free
        if full:
            mentors[:] = [m for m in mentors if mentor_room(m, self.ledger) > 0]
        return best

    # --- workshops and circles: whole groups per offer and key ----------------------------

    def _groups(self, tier: Tier, by_key: dict[tuple[str, str], list[int]]) -> int:
        """Per offer (by id) and group key, groups from the open gaps of that competence and
        key (a site, or REMOTE for all sites)."""
        held = [
            (offer, key) for offer in self.offers.of_kind(tier.kind) for key in _keys(tier, offer)
        ]
        buckets = {
            (offer.competence_id, key): _Bucket(by_key.get((offer.competence_id, key), []))
            for offer, key in held
        }
        return sum(
            self._form(tier, offer, key, buckets[offer.competence_id, key]) for offer, key in held
        )

    def _form(self, tier: Tier, offer: Offer, key: str, bucket: "_Bucket") -> int:
        """Fill the offer's open groups at the key, then open balanced new ones; returns how
        many gaps were placed."""
        if not bucket.gaps:
            return 0
        limit = self._room(offer, key)
        if limit <= 0:
            return 0
        members = self._eligible(tier, offer, bucket.gaps, limit)
        left = self._join_open_groups(tier, offer, key, members)
        placed = len(members) - len(left)
        if left:
            placed += self._open_groups(tier, offer, key, left)
        bucket.drop_placed(placed, self.chosen)
        return placed

    def _room(self, offer: Offer, key: str) -> int:
        """Free seats in the open groups plus those of the runs still allowed."""
        if offer.capacity is None:
            return UNLIMITED
        ledger = self.ledger
        runs = runs_left(offer, key, ledger)
        if runs == UNLIMITED:
            return UNLIMITED
        groups = ledger.groups(offer.offer_id, key)
        free = sum(max(0, offer.capacity - ledger.used(group)) for group in groups)
        return free + runs * offer.capacity

    def _eligible(self, tier: Tier, offer: Offer, bucket: list[int], limit: int) -> list[int]:
        """The first ``limit`` open gaps of the bucket, in global order, that the offer takes."""
        chosen, gaps, owner = self.chosen, self.gaps, self.owner
        level, host, offer_id = offer.reaches_level, offer.host_id, offer.offer_id
        chain = offer.chain if offer.kind is ItemKind.EXCHANGE_CIRCLE else ()
        here = offer.site_ids if tier.remote else frozenset()
        excluded = self.excluded
        members: list[int] = []
        for g in bucket:
            if chosen[g] is not None or gaps[g].target_level > level:
                continue
            learner = owner[g]
            if (
                learner.employee_id == host
                or (here and learner.site_id in here)
                or (chain and learner.process_id not in chain)
                or (excluded and offer_id in excluded.get(learner.employee_id, NO_EXCLUSIONS))
            ):
                continue
            members.append(g)
            if len(members) >= limit:
                break
        return members

    def _join_open_groups(
        self, tier: Tier, offer: Offer, key: str, members: list[int]
    ) -> list[int]:
        """Seat members in the groups already open at the key; return those left over."""
        if not self.ledger.groups(offer.offer_id, key):
            return members
        for i, g in enumerate(members):
            group_id = open_group(offer, key, self.owner[g].process_id, self.ledger)
            if group_id is None:
                return members[i:]
            self._place(tier, offer, g, group_id)
        return []

    def _open_groups(self, tier: Tier, offer: Offer, key: str, members: list[int]) -> int:
        """As many new groups as the members fill to their minimum, balanced in size;
        returns how many members were placed."""
        most = len(members) if offer.capacity is None else offer.capacity
        least = min(max(1, offer.min_group), most)
        count = min(math.ceil(len(members) / most), runs_left(offer, key, self.ledger))
        count = min(count, len(members) // least)
        if count <= 0:
            return 0
        placed = members[: min(len(members), count * most)]
        for group in self._split(offer, placed, count):
            group_id = self.ledger.next_group_id(offer.offer_id, key)
            for g in group:
                self._place(tier, offer, g, group_id)
        return len(placed)

    def _split(self, offer: Offer, members: list[int], count: int) -> list[list[int]]:
        """Workshops: consecutive runs of the global order. Circles: members dealt round-robin
        in (process step along the chain, employee id) order, so each circle mixes steps."""
        if offer.kind is ItemKind.EXCHANGE_CIRCLE:
            step: dict[str | None, int] = {process: i for i, process in enumerate(offer.chain)}
            last, owner = len(offer.chain), self.owner

            def dealing_order(g: int) -> tuple[int, str, str]:
                learner = owner[g]
                process = learner.process_id
                return (step.get(process, last), process or "", learner.employee_id)

            dealt = sorted(members, key=dealing_order)
            return [dealt[i::count] for i in range(count)]
        size, extra = divmod(len(members), count)
        groups, start = [], 0
        for i in range(count):
            end = start + size + (1 if i < extra else 0)
            groups.append(members[start:end])
            start = end
        return groups

    def _place(self, tier: Tier, offer: Offer, g: int, group_id: str) -> None:
        learner = self.owner[g]
        placement = self.chooser.closing(
            learner, self.gaps[g], tier, offer, group_id, self._excluded(learner)
        )
        self.ledger.reserve(placement)
        self.chosen[g] = placement

    # --- self-study and external courses: no capacity ----------------------------------

    def _singles(self, tier: Tier, remaining: list[int]) -> int:
        chosen, build = self.chosen, build_placement
        owner, gaps, profile, plain = self.owner, self.gaps, self.profile, self.plain
        memo: dict[int, tuple[Offer, Explanation] | None] = {}  # per profile, plain learners
        placed = 0
        for g in remaining:
            if chosen[g] is not None:
                continue
            learner, gap = owner[g], gaps[g]
            if not plain[g]:
                found = self._single(tier, learner, gap, self._excluded(learner))
            elif profile[g] in memo:
                found = memo[profile[g]]
            else:
                found = memo[profile[g]] = self._single(tier, learner, gap, NO_EXCLUSIONS)
            if found is not None:
                chosen[g] = build(learner, gap, found[0], None, None, found[1])
                placed += 1
        return placed

    def _single(
        self, tier: Tier, learner: Learner, gap: Gap, excluded: frozenset[str]
    ) -> tuple[Offer, Explanation] | None:
        offers = self.chooser.admitted(tier, learner, gap, excluded)
        if not offers:
            return None
        return offers[0], self.chooser.explain(learner, gap, tier.number, offers[0], excluded)

    # --- plans ----------------------------------------------------------------------------

    def _assemble(self) -> dict[str, Plan]:
        plans: dict[str, Plan] = {}
        preparing: dict[tuple[str, int, int], Preparing | None] = {}  # for plain learners
        for learner, span in zip(self.learners, self.spans, strict=True):
            items = self._items(learner, span, preparing)
            pinned = self.pinned.get(learner.employee_id)
            if pinned:
                items = list(ordered(learner, [*pinned, *items]))
            plans[learner.employee_id] = Plan(learner.employee_id, tuple(items))
        return plans

    def _items(
        self,
        learner: Learner,
        span: range,
        preparing: dict[tuple[str, int, int], Preparing | None],
    ) -> list[Placement]:
        """The closing item of each planned gap, each followed by its preparation if any."""
        chooser, chosen, gaps = self.chooser, self.chosen, self.gaps
        excluded = self._excluded(learner)
        prepared = self._pinned_keys(learner, closing=False) if self.pinned else None
        items: list[Placement] = []
        for g in span:
            closing = chosen[g]
            assert closing is not None
            items.append(closing)
            gap = gaps[g]
            if closing.kind is SELF_STUDY or (  # self-study needs no preparation
                prepared and (gap.competence_id, gap.target_level, learner.site_id) in prepared
            ):
                continue
            key = (gap.competence_id, gap.current_level, gap.target_level)
            if not self.plain[g]:
                found = chooser.preparing(learner, gap, excluded)
            elif key in preparing:
                found = preparing[key]
            else:
                found = preparing[key] = chooser.preparing(learner, gap, excluded)
            if found is not None:
                items.append(build_placement(learner, gap, *found, closes_gap=False))
        return items


def _keys(tier: Tier, offer: Offer) -> list[str]:
    """The group keys at which the tier uses the offer: its sites, or REMOTE."""
    if tier.remote:
        return [REMOTE] if offer.remote else []
    return sorted(offer.site_ids)


class _Bucket:
    """Gap numbers of one competence at one site (or all remote), in global order."""

    __slots__ = ("dead", "gaps")

    def __init__(self, gaps: list[int]) -> None:
        self.gaps = gaps  # shared until placed gaps are dropped: then a new list
        self.dead = 0  # gaps placed from this bucket still listed

    def drop_placed(self, placed: int, chosen: list[Placement | None]) -> None:
        """Count newly placed gaps; drop them all once they are half the list."""
        self.dead += placed
        if self.dead * 2 > len(self.gaps):
            self.gaps = [g for g in self.gaps if chosen[g] is None]
            self.dead = 0
