"""Properties of the matching engine over random organisations (hypothesis).

Sites, a process chain, learners with one to six gaps and offers of every kind are drawn
at random; both planning modes must keep capacities, prefer in-house and the learner's
own site, never choose what is excluded, and be deterministic.
"""

import random
from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gegenstrom_contracts.training_match import ItemKind
from training_match.engine import (
    GROUPED,
    IN_HOUSE,
    REMOTE,
    Gap,
    Learner,
    Ledger,
    Offer,
    OfferIndex,
    Placement,
    Plan,
    plan_one,
    plan_rollout,
    plan_totals,
)

pytestmark = pytest.mark.unit

SITES = ("s0", "s1", "s2")
CHAIN = ("p0", "p1", "p2", "p3")
COMPETENCES = ("c0", "c1", "c2", "c3", "c4", "c5")
EMPLOYEES = tuple(f"emp-{i:02d}" for i in range(16))
DUE = (None, date(2027, 3, 1), date(2027, 5, 1))
TIER = {  # (kind, joined remotely) -> rank in the preference order
    (ItemKind.MENTOR, False): 1,
    (ItemKind.INTERNAL_WORKSHOP, False): 2,
    (ItemKind.EXCHANGE_CIRCLE, False): 3,
    (ItemKind.MENTOR, True): 4,
    (ItemKind.INTERNAL_WORKSHOP, True): 5,
    (ItemKind.EXCHANGE_CIRCLE, True): 6,
    (ItemKind.SELF_STUDY, False): 7,
    (ItemKind.EXTERNAL_COURSE, False): 8,
    (ItemKind.UNMATCHED, False): 9,
}
SETTINGS = settings(deadline=None, max_examples=150, suppress_health_check=[HealthCheck.too_slow])


def to_offer(number: int, parts: tuple) -> Offer:
    kind, competence, level, hours, price, sites, remote, capacity, least, runs, host, chain = parts
    in_house = kind in IN_HOUSE
    return Offer(
        offer_id=f"o{number:02d}",
        kind=kind,
        competence_id=competence,
        reaches_level=level,
        hours=float(hours),
        cost_eur=price if kind is ItemKind.EXTERNAL_COURSE else 0.0,
        site_ids=sites,
        remote=remote,
        capacity=capacity if in_house else None,
        min_group=least,
        runs=runs,
        host_id=host if in_house else None,
        chain=chain if kind is ItemKind.EXCHANGE_CIRCLE else (),
    )


def to_learner(employee_id: str, parts: tuple) -> Learner:
    site, process, competences, levels = parts
    gaps = tuple(
        Gap(competence, current, min(4, current + rise), priority, due_on)
        for priority, (competence, (current, rise, due_on)) in enumerate(
            zip(competences, levels, strict=False), start=1
        )
    )
    return Learner(employee_id, site, process, gaps)


OFFER_PARTS = st.tuples(
    st.sampled_from([k for k in ItemKind if k is not ItemKind.UNMATCHED]),
    st.sampled_from(COMPETENCES),
    st.integers(1, 4),
    st.integers(1, 40),
    st.sampled_from((100.0, 500.0, 900.0)),
    st.frozensets(st.sampled_from(SITES), max_size=2),
    st.booleans(),
    st.none() | st.integers(0, 4),
    st.integers(1, 3),
    st.none() | st.integers(0, 3),
    st.none() | st.sampled_from(EMPLOYEES),
    st.sampled_from(((), CHAIN, CHAIN[1:3])),
)
LEARNER_PARTS = st.tuples(
    st.sampled_from(SITES),
    st.sampled_from((*CHAIN, None, "px")),
    st.lists(st.sampled_from(COMPETENCES), min_size=1, max_size=6, unique=True),
    st.lists(
        st.tuples(st.integers(0, 2), st.integers(1, 3), st.sampled_from(DUE)),
        min_size=6,
        max_size=6,
    ),
)
OFFERS = st.lists(OFFER_PARTS, max_size=24).map(
    lambda drawn: [to_offer(i, parts) for i, parts in enumerate(drawn)]
)
LEARNERS = st.lists(LEARNER_PARTS, min_size=1, max_size=12).map(
    lambda drawn: [to_learner(EMPLOYEES[i], parts) for i, parts in enumerate(drawn)]
)
NEWCOMER = LEARNER_PARTS.map(lambda parts: to_learner("emp-99", parts))


def exclusions(people: list[Learner], index: OfferIndex, rng: random.Random) -> dict:
    ids = [o.offer_id for o in index]
    return {p.employee_id: frozenset(rng.sample(ids, min(2, len(ids)))) for p in people[::3]}


# --- what every plan must satisfy ---------------------------------------------------------


def members(plans: Iterable[Plan]) -> Counter[str]:
    return Counter(p.group_id for plan in plans for p in plan.placements if p.group_id)


def groups_per_key(plans: Iterable[Plan]) -> dict[tuple[str, str], set[str]]:
    found: dict[tuple[str, str], set[str]] = {}
    for plan in plans:
        for p in plan.placements:
            if p.group_id and p.offer_id and p.group_key and p.kind in GROUPED:
                found.setdefault((p.offer_id, p.group_key), set()).add(p.group_id)
    return found


def assert_capacity(
    plans: Mapping[str, Plan], index: OfferIndex, ledger: Ledger, *, minimum: bool
) -> None:
    """Groups within capacity and runs, the ledger agrees; with ``minimum`` no group is small."""
    counts = members(plans.values())
    assert {g: n for g, n in ledger.snapshot().items() if n} == dict(counts)
    offer_of = {p.group_id: p.offer_id for plan in plans.values() for p in plan.placements}
    for group_id, count in counts.items():
        offer = index.get(offer_of[group_id])
        assert offer is not None
        if offer.capacity is not None:
            assert count <= offer.capacity
        if minimum and offer.kind in GROUPED:
            assert count >= min(offer.min_group, offer.capacity or count)
    for (offer_id, _), group_ids in groups_per_key(plans.values()).items():
        runs = index.get(offer_id).runs  # type: ignore[union-attr]
        assert runs is None or len(group_ids) <= runs


def tier_of(placement: Placement) -> int:
    return TIER[placement.kind, placement.group_key == REMOTE]


def candidates(learner: Learner, gap: Gap, index: OfferIndex, excluded: frozenset[str]):
    """(tier, offer) for every offer that could close the gap for the learner, capacity aside."""
    for offer in index:
        if (
            not offer.closes(gap)
            or offer.offer_id in excluded
            or offer.host_id == learner.employee_id
        ):
            continue
        if offer.kind is ItemKind.SELF_STUDY:
            yield 7, offer
        elif offer.kind is ItemKind.EXTERNAL_COURSE:
            if offer.remote or learner.site_id in offer.site_ids:
                yield 8, offer
        elif (
            offer.kind is ItemKind.EXCHANGE_CIRCLE
            and offer.chain
            and (learner.process_id not in offer.chain)
        ):
            continue
        elif learner.site_id in offer.site_ids:
            yield TIER[offer.kind, False], offer
        elif offer.remote:
            yield TIER[offer.kind, True], offer


def has_room(
    offer: Offer,
    key: str,
    counts: Counter[str],
    running_groups: dict[tuple[str, str], set[str]],
    *,
    may_open: bool,
) -> bool:
    """A free place or seat at the end; ``may_open``: a run still allowed counts as room."""
    if offer.kind in (ItemKind.SELF_STUDY, ItemKind.EXTERNAL_COURSE):
        return True
    if offer.kind is ItemKind.MENTOR:
        return offer.capacity is None or counts[offer.offer_id] < offer.capacity
    running = running_groups.get((offer.offer_id, key), set())
    if any(offer.capacity is None or counts[g] < offer.capacity for g in running):
        return True
    runs_left = offer.runs is None or len(running) < offer.runs
    return may_open and runs_left and (offer.capacity is None or offer.capacity > 0)


def assert_sound(
    checked: list[Learner],
    index: OfferIndex,
    plans: Mapping[str, Plan],
    excluded: Mapping[str, frozenset[str]],
    *,
    may_open: bool,
    kept: Iterable[Placement] = (),
) -> None:
    """Each gap of the checked learners closed once by an offer that closes it, nothing
    excluded, no better tier with room left (except for ``kept`` items), the external
    equivalent and preparation as specified, no names in reasons."""
    counts, running, kept = members(plans.values()), groups_per_key(plans.values()), set(kept)
    for learner in checked:
        mine = excluded.get(learner.employee_id, frozenset())
        placements = plans[learner.employee_id].placements
        closing = {(p.competence_id, p.target_level): p for p in placements if p.closes_gap}
        assert len(closing) == len([p for p in placements if p.closes_gap]) == len(learner.gaps)
        for gap in learner.gaps:
            chosen = closing[gap.competence_id, gap.target_level]
            cheapest = index.cheapest_external(gap.competence_id, gap.target_level, learner.site_id)
            assert chosen.external_equivalent_eur == (cheapest.cost_eur if cheapest else 0)
            assert "emp-" not in chosen.reason
            if chosen.kind is ItemKind.UNMATCHED:
                assert chosen.offer_id is None and chosen.hours == 0 and chosen.cost_eur == 0
            else:
                offer = index.get(chosen.offer_id)
                assert offer is not None and offer.closes(gap) and offer.kind is chosen.kind
                assert chosen.offer_id not in mine and offer.host_id != learner.employee_id
            for tier, offer in candidates(learner, gap, index, mine):
                if tier < tier_of(chosen) and chosen not in kept:
                    key = REMOTE if tier in (4, 5, 6) else learner.site_id
                    assert not has_room(offer, key, counts, running, may_open=may_open), offer
            assert_preparation(gap, chosen, placements, index, mine)


def assert_preparation(
    gap: Gap,
    chosen: Placement,
    placements: tuple[Placement, ...],
    index: OfferIndex,
    excluded: frozenset[str],
) -> None:
    found = [p for p in placements if not p.closes_gap and p.competence_id == gap.competence_id]
    options = [
        o
        for o in index.preparations(gap.competence_id, gap.current_level, gap.target_level)
        if o.offer_id not in excluded
    ]
    if chosen.kind is ItemKind.SELF_STUDY or not options:
        assert found == []
    else:
        (preparation,) = found
        assert preparation.offer_id == options[0].offer_id
        assert gap.current_level < options[0].reaches_level < gap.target_level


# --- properties ---------------------------------------------------------------------------


@SETTINGS
@given(OFFERS, LEARNERS, st.randoms(use_true_random=False))
def test_rollout_keeps_capacities_and_prefers_in_house_and_the_own_site(found, people, rng):
    index = OfferIndex(found)
    excluded = exclusions(people, index, rng)
    ledger = Ledger()
    plans = plan_rollout(people, index, ledger, excluded=excluded)
    assert sorted(plans) == sorted(p.employee_id for p in people)
    assert_capacity(plans, index, ledger, minimum=True)
    assert_sound(people, index, plans, excluded, may_open=False)


@SETTINGS
@given(OFFERS, LEARNERS, st.randoms(use_true_random=False))
def test_incremental_plans_keep_capacities_and_prefer_in_house_and_the_own_site(found, people, rng):
    index = OfferIndex(found)
    excluded = exclusions(people, index, rng)
    ledger = Ledger()
    plans = {}
    for learner in people:
        mine = excluded.get(learner.employee_id, frozenset())
        plans[learner.employee_id] = plan_one(learner, index, ledger, excluded=mine)
    assert_capacity(plans, index, ledger, minimum=False)
    assert_sound(people, index, plans, excluded, may_open=True)


@SETTINGS
@given(OFFERS, LEARNERS, st.randoms(use_true_random=False))
def test_rollout_is_deterministic_whatever_the_order_of_learners(found, people, rng):
    index = OfferIndex(found)
    excluded = exclusions(people, index, rng)
    first_ledger, second_ledger = Ledger(), Ledger()
    first = plan_rollout(people, index, first_ledger, excluded=excluded)
    shuffled = list(people)
    rng.shuffle(shuffled)
    second = plan_rollout(shuffled, OfferIndex(reversed(found)), second_ledger, excluded=excluded)
    assert first == second
    assert first_ledger.snapshot() == second_ledger.snapshot()


@SETTINGS
@given(OFFERS, LEARNERS, NEWCOMER, st.data())
def test_replanning_one_learner_leaves_everyone_else_as_they_were(found, people, changed, data):
    index = OfferIndex(found)
    ledger = Ledger()
    plans = plan_rollout(people, index, ledger)
    others = dict(plans)
    who = data.draw(st.sampled_from(people))
    updated = Learner(who.employee_id, changed.site_id, changed.process_id, changed.gaps)
    excluded = frozenset(
        data.draw(st.lists(st.sampled_from([o.offer_id for o in found] or ["none"]), max_size=2))
    )
    previous = plans[who.employee_id].placements
    replanned = plan_one(updated, index, ledger, previous=previous, excluded=excluded)
    del others[who.employee_id]
    assert {e: plans[e] for e in others} == others
    now = {**others, who.employee_id: replanned}
    assert_capacity(now, index, ledger, minimum=False)
    assert_sound([updated], index, now, {who.employee_id: excluded}, may_open=False, kept=previous)
    again = plan_one(updated, index, ledger, previous=replanned.placements, excluded=excluded)
    assert again == replanned  # a plan that fits is kept as it is


@SETTINGS
@given(OFFERS, LEARNERS, st.randoms(use_true_random=False))
def test_pinned_items_are_kept_in_both_modes(found, people, rng):
    index = OfferIndex(found)
    ledger = Ledger()
    plans = plan_rollout(people, index, ledger)
    pinned = {
        e: [p for p in plan.placements if rng.random() < 0.5]
        for e, plan in plans.items()
        if rng.random() < 0.5
    }
    for employee_id, plan in plans.items():
        for placement in plan.placements:
            if placement not in pinned.get(employee_id, ()):
                ledger.release(placement)
    again = plan_rollout(people, index, ledger, pinned=pinned)
    assert_capacity(again, index, ledger, minimum=False)
    for employee_id, kept in pinned.items():
        assert set(kept) <= set(again[employee_id].placements)
        listed = [p.key for p in again[employee_id].placements]
        assert len(listed) == len(set(listed))  # pinned gaps are not planned twice
    learner = rng.choice(people)
    keys = frozenset(p.key for p in pinned.get(learner.employee_id, ()))
    gone = Learner(learner.employee_id, learner.site_id, learner.process_id, ())
    alone = plan_one(
        gone, index, ledger, previous=again[learner.employee_id].placements, pinned=keys
    )
    assert sorted(p.key for p in alone.placements) == sorted(keys)


@SETTINGS
@given(OFFERS, LEARNERS)
def test_totals_add_up(found, people):
    index = OfferIndex(found)
    placements = [
        p for plan in plan_rollout(people, index, Ledger()).values() for p in plan.placements
    ]
    totals = plan_totals(placements)
    closing = [p for p in placements if p.closes_gap]
    external = sum(p.cost_eur for p in placements if p.kind is ItemKind.EXTERNAL_COURSE)
    all_external = sum(p.external_equivalent_eur for p in closing)
    assert totals.external_cost_eur == pytest.approx(external)
    assert totals.all_external_cost_eur == pytest.approx(all_external)
    assert totals.external_cost_avoided_eur == pytest.approx(max(0.0, all_external - external))
    assert totals.hours == pytest.approx(sum(p.hours for p in placements))
    shared = sum(p.kind not in (ItemKind.EXTERNAL_COURSE, ItemKind.UNMATCHED) for p in closing)
    assert totals.in_house_share == pytest.approx(shared / len(closing) if closing else 0.0)
