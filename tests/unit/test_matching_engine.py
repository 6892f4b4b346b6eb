"""The matching engine by example: offer index, ledger, preference order, both modes, totals."""

import random
from datetime import date

import pytest

from gegenstrom_contracts.training_match import ItemKind
from training_match.engine import (
    REMOTE,
    Gap,
    Learner,
    Ledger,
    Offer,
    OfferIndex,
    Placement,
    plan_one,
    plan_rollout,
    plan_totals,
)

pytestmark = pytest.mark.unit

MENTOR = ItemKind.MENTOR
WORKSHOP = ItemKind.INTERNAL_WORKSHOP
CIRCLE = ItemKind.EXCHANGE_CIRCLE
SELF = ItemKind.SELF_STUDY
EXTERNAL = ItemKind.EXTERNAL_COURSE
UNMATCHED = ItemKind.UNMATCHED
CHAIN = ("order", "plan", "make", "ship")


def offer(offer_id: str, kind: ItemKind, level: int = 3, *sites: str, **fields) -> Offer:
    fields.setdefault("hours", 8.0)
    return Offer(
        offer_id, kind, fields.pop("competence", "sap"), level, site_ids=frozenset(sites), **fields
    )


def learner(
    employee_id: str, site: str = "s1", process: str | None = "plan", *gaps: Gap
) -> Learner:
    return Learner(employee_id, site, process, gaps or (Gap("sap", 1, 3),))


def closing(plan_placements: tuple[Placement, ...]) -> list[Placement]:
    return [p for p in plan_placements if p.closes_gap]


def only(index: OfferIndex, who: Learner, ledger: Ledger | None = None, **kw) -> Placement:
    """The closing placement of a one-gap learner planned alone."""
    (found,) = closing(plan_one(who, index, ledger or Ledger(), **kw).placements)
    return found


# --- offer index --------------------------------------------------------------------------


def test_index_finds_closing_offers_and_the_cheapest_external_course_for_a_site():
    index = OfferIndex(
        [
            offer("x-far", EXTERNAL, 4, "s9", cost_eur=500.0),
            offer("x-remote", EXTERNAL, 3, remote=True, cost_eur=900.0, hours=24.0),
            offer("x-here", EXTERNAL, 3, "s1", cost_eur=900.0, hours=16.0),
            offer("x-low", EXTERNAL, 2, "s1", cost_eur=100.0),
        ]
    )
    assert [o.offer_id for o in index.externals("sap", 3, "s1")] == ["x-here", "x-remote"]
    assert index.cheapest_external("sap", 3, "s9").offer_id == "x-far"  # type: ignore[union-attr]
    assert index.cheapest_external("sap", 5, "s1") is None
    assert index.externals("sap", 3, "s1") is index.externals("sap", 3, "s1")  # cached


def test_index_refuses_duplicate_offer_ids():
    with pytest.raises(ValueError, match="duplicate"):
        OfferIndex([offer("a", SELF), offer("a", MENTOR)])


def test_preparations_lie_between_current_and_target_level_highest_first():
    index = OfferIndex(
        [offer(f"ss{lvl}", SELF, lvl) for lvl in (1, 2, 3, 4)] + [offer("ss3b", SELF, 3)]
    )
    assert [o.offer_id for o in index.preparations("sap", 1, 4)] == ["ss3", "ss3b", "ss2"]


# --- ledger -------------------------------------------------------------------------------


def test_ledger_counts_members_per_group_and_process_and_lists_running_groups():
    ledger = Ledger()
    ledger.add("w", "s1", "w/s1/2", "plan")
    ledger.add("w", "s1", "w/s1/1", "make", count=2)  # loaded out of order
    assert ledger.groups("w", "s1") == ["w/s1/1", "w/s1/2"]
    assert ledger.used("w/s1/1") == 2 and ledger.used_by_process("w/s1/1", "make") == 2
    assert ledger.next_group_id("w", "s1") == "w/s1/3"
    twin = ledger.copy()
    ledger.add("w", "s1", "w/s1/1", "make", count=-2)
    assert ledger.groups("w", "s1") == ["w/s1/2"]  # an emptied group no longer runs
    assert ledger.next_group_id("w", "s1") == "w/s1/1"  # and its id is reused first
    assert twin.used("w/s1/1") == 2


def test_ledger_reserve_and_release_ignore_items_without_a_group():
    ledger = Ledger()
    item = Placement("e", "sap", 3, MENTOR, 8, 0, "r", offer_id="m", group_key="s1", group_id="m")
    ledger.reserve(item)
    ledger.reserve(Placement("e", "sap", 3, SELF, 8, 0, "r", offer_id="ss"))
    assert ledger.snapshot() == {"m": 1}
    ledger.release(item)
    assert ledger.used("m") == 0


# --- preference order -------------------------------------------------------------------


def test_tiers_go_mentor_workshop_circle_at_the_site_then_remote_then_self_study_then_external():
    tiers = [
        offer("m", MENTOR, 3, "s1", capacity=1),
        offer("w", WORKSHOP, 3, "s1", capacity=1, runs=1),
        offer("c", CIRCLE, 3, "s1", capacity=1, runs=1, chain=CHAIN),
        offer("m-r", MENTOR, 3, "s2", capacity=1, remote=True),
        offer("w-r", WORKSHOP, 3, "s2", capacity=1, runs=1, remote=True),
        offer("c-r", CIRCLE, 3, "s2", capacity=1, runs=1, remote=True),
        offer("ss", SELF, 3),
        offer("x", EXTERNAL, 3, remote=True, cost_eur=1950.0),
    ]
    index, ledger = OfferIndex(tiers), Ledger()
    chosen = [only(index, learner(f"e{i}"), ledger) for i in range(8)]
    assert [(p.offer_id, p.group_key) for p in chosen] == [
        ("m", "s1"),
        ("w", "s1"),
        ("c", "s1"),
        ("m-r", REMOTE),
        ("w-r", REMOTE),
        ("c-r", REMOTE),
        ("ss", None),
        ("ss", None),
    ]
    assert chosen[0].considered == ("w", "c", "m-r", "w-r", "c-r", "ss", "x")
    assert chosen[6].considered == ("x",)
    assert all(p.external_equivalent_eur == 1950 for p in chosen)
    without_self_study = OfferIndex([o for o in tiers if o.kind is not SELF])
    assert only(without_self_study, learner("e9"), ledger).offer_id == "x"


def test_a_mentor_never_mentors_themselves_and_the_roomiest_mentor_wins():
    index = OfferIndex(
        [
            offer("m-a", MENTOR, 3, "s1", capacity=2, host_id="e1"),
            offer("m-b", MENTOR, 3, "s1", capacity=2),
            offer("m-c", MENTOR, 3, "s1", capacity=3),
        ]
    )
    ledger = Ledger()
    assert only(index, learner("e1"), ledger).offer_id == "m-c"
    assert only(index, learner("e2"), ledger).offer_id == "m-a"  # 2 free each: lowest id
    assert only(index, learner("e1"), ledger).offer_id == "m-b"  # m-a is e1's own offer


def test_circles_take_only_learners_of_their_process_chain():
    index = OfferIndex(
        [
            offer("c-chain", CIRCLE, 3, "s1", chain=CHAIN),
            offer("ss", SELF, 3),
        ]
    )
    assert only(index, learner("e1", "s1", "make")).offer_id == "c-chain"
    assert only(index, learner("e2", "s1", "sales")).offer_id == "ss"
    assert only(index, learner("e3", "s1", None)).offer_id == "ss"
    open_circle = OfferIndex([offer("c-open", CIRCLE, 3, "s1")])
    assert only(open_circle, learner("e4", "s1", None)).offer_id == "c-open"


def test_externals_rank_by_price_then_hours_then_id_and_must_serve_the_site():
    index = OfferIndex(
        [
            offer("x-b", EXTERNAL, 3, remote=True, cost_eur=900.0, hours=16.0),
            offer("x-a", EXTERNAL, 3, remote=True, cost_eur=900.0, hours=16.0),
            offer("x-long", EXTERNAL, 3, remote=True, cost_eur=900.0, hours=40.0),
            offer("x-elsewhere", EXTERNAL, 3, "s2", cost_eur=100.0),
        ]
    )
    found = only(index, learner("e1"))
    assert (found.offer_id, found.cost_eur, found.external_equivalent_eur) == ("x-a", 900, 900)
    assert found.considered == ()
    assert "cheapest" in found.reason and "900 EUR" in found.reason


def test_nothing_reaches_the_target_level_gives_an_unmatched_item_that_says_so():
    index = OfferIndex([offer("low", WORKSHOP, 2, "s1"), offer("x-low", EXTERNAL, 2, remote=True)])
    found = only(index, learner("e1"))
    assert (found.kind, found.offer_id, found.hours, found.cost_eur) == (UNMATCHED, None, 0, 0)
    assert found.reason == "unmatched: nothing in-house or external reaches the target level"
    assert found.external_equivalent_eur == 0


def test_full_in_house_offers_are_named_in_the_unmatched_reason():
    index = OfferIndex([offer("m", MENTOR, 3, "s1", capacity=1)])
    ledger = Ledger()
    only(index, learner("e1"), ledger)
    assert "are full" in only(index, learner("e2"), ledger).reason


def test_excluded_offers_are_skipped():
    index = OfferIndex([offer("m", MENTOR, 3, "s1"), offer("x", EXTERNAL, 3, remote=True)])
    assert only(index, learner("e1"), excluded=frozenset({"m"})).offer_id == "x"
    assert only(index, learner("e1"), excluded=frozenset({"m", "x"})).kind is UNMATCHED


def test_preparation_is_the_best_self_study_below_the_target_unless_self_study_closes_it():
    index = OfferIndex(
        [
            offer("ss2", SELF, 2),
            offer("ss2b", SELF, 2),
            offer("ss1", SELF, 1),
            offer("m", MENTOR, 4, "s1", capacity=1),
        ]
    )
    gap = Gap("sap", 0, 4)
    ledger = Ledger()
    mentored = plan_one(learner("e1", "s1", "plan", gap), index, ledger).placements
    assert [(p.kind, p.offer_id, p.closes_gap) for p in mentored] == [
        (MENTOR, "m", True),
        (SELF, "ss2", False),
    ]
    assert mentored[1].key == "sap@4/prep/ss2" and mentored[1].external_equivalent_eur == 0
    unmatched = plan_one(learner("e2", "s1", "plan", gap), index, ledger).placements
    assert [(p.kind, p.offer_id) for p in unmatched] == [(UNMATCHED, None), (SELF, "ss2")]
    self_closed = plan_one(learner("e3", "s1", "plan", Gap("sap", 0, 2)), index, ledger)
    assert [p.offer_id for p in self_closed.placements] == ["ss2"]


def test_reasons_name_no_person_and_are_shared_between_placements():
    index = OfferIndex(
        [
            offer("ss", SELF, 3, title="SAP basics"),
            offer("x", EXTERNAL, 3, remote=True, cost_eur=1950.0),
        ]
    )
    plans = plan_rollout([learner(f"emp-{i}") for i in range(50)], index, Ledger())
    reasons = {id(p.reason) for plan in plans.values() for p in plan.placements}
    assert len(reasons) == 1
    reason = plans["emp-1"].placements[0].reason
    assert "emp-" not in reason and "'SAP basics' (ss)" in reason and "1,950 EUR" in reason


# --- incremental mode ---------------------------------------------------------------------


def test_incremental_joins_the_lowest_run_with_a_seat_then_opens_runs_as_allowed():
    index = OfferIndex(
        [offer("w", WORKSHOP, 3, "s1", capacity=2, runs=2, min_group=2), offer("ss", SELF, 3)]
    )
    ledger = Ledger()
    groups = [only(index, learner(f"e{i}"), ledger).group_id for i in range(5)]
    assert groups == ["w/s1/1", "w/s1/1", "w/s1/2", "w/s1/2", None]


def test_incremental_circles_join_the_group_with_fewest_of_the_learners_process_step():
    index = OfferIndex([offer("c", CIRCLE, 3, "s1", capacity=4, runs=2, chain=CHAIN)])
    ledger = Ledger()
    ledger.add("c", "s1", "c/s1/1", "plan")
    ledger.add("c", "s1", "c/s1/2", "make")
    assert only(index, learner("e1", "s1", "plan"), ledger).group_id == "c/s1/2"
    assert only(index, learner("e2", "s1", "make"), ledger).group_id == "c/s1/1"
    assert only(index, learner("e3", "s1", "ship"), ledger).group_id == "c/s1/1"


def test_incremental_keeps_what_still_fits_and_releases_the_rest():
    index = OfferIndex(
        [
            offer("m", MENTOR, 4, "s1", capacity=1, competence="sap"),
            offer("w", WORKSHOP, 3, "s1", capacity=5, competence="excel"),
            offer("ss", SELF, 4, competence="sap"),
        ]
    )
    ledger = Ledger()
    before = plan_one(
        learner("e1", "s1", "plan", Gap("sap", 1, 3), Gap("excel", 0, 2)), index, ledger
    ).placements
    assert ledger.snapshot() == {"m": 1, "w/s1/1": 1}
    after = plan_one(
        learner("e1", "s1", "plan", Gap("sap", 1, 3), Gap("excel", 0, 3)),
        index,
        ledger,
        previous=before,
    ).placements
    assert after[1] is before[1]  # the mentor stays: same gap, still closes it
    assert after[0].key == "excel@3" and after[0].group_id == "w/s1/1"
    assert ledger.snapshot() == {"m": 1, "w/s1/1": 1}
    moved = plan_one(
        learner("e1", "s1", "plan", Gap("sap", 1, 4)),
        index,
        ledger,
        previous=after,
        excluded=frozenset({"m"}),
    )
    assert [p.offer_id for p in moved.placements] == ["ss"]
    assert ledger.snapshot() == {"m": 0, "w/s1/1": 0}


def test_incremental_keeps_pinned_items_even_when_their_gap_is_gone():
    index = OfferIndex([offer("m", MENTOR, 3, "s1", capacity=1), offer("ss", SELF, 3)])
    ledger = Ledger()
    first = plan_one(learner("e1"), index, ledger).placements
    later = plan_one(
        learner("e1", "s1", "plan", Gap("excel", 0, 1)),
        index,
        ledger,
        previous=first,
        pinned=frozenset({"sap@3"}),
    )
    assert later.placements[-1] is first[0]
    assert [p.key for p in later.placements] == ["excel@1", "sap@3"]
    assert ledger.used("m") == 1


def test_incremental_drops_items_whose_offer_is_gone_or_no_longer_reaches_the_target():
    ledger = Ledger()
    old = OfferIndex([offer("m", MENTOR, 3, "s1"), offer("ss", SELF, 5)])
    first = plan_one(learner("e1"), old, ledger).placements
    new = OfferIndex([offer("m", MENTOR, 2, "s1"), offer("ss", SELF, 5)])
    again = plan_one(learner("e1"), new, ledger, previous=first).placements
    assert [p.offer_id for p in again] == ["ss"] and ledger.used("m") == 0


# --- rollout mode -------------------------------------------------------------------------


def test_rollout_forms_balanced_groups_of_at_least_the_minimum_and_respects_runs():
    index = OfferIndex(
        [offer("w", WORKSHOP, 3, "s1", capacity=10, min_group=4, runs=2), offer("ss", SELF, 3)]
    )
    plans = plan_rollout([learner(f"e{i:02d}") for i in range(13)], index, Ledger())
    sizes: dict[str | None, int] = {}
    for plan in plans.values():
        group = plan.placements[0].group_id
        sizes[group] = sizes.get(group, 0) + 1
    assert sizes == {"w/s1/1": 7, "w/s1/2": 6}
    few = plan_rollout([learner(f"e{i}") for i in range(3)], index, Ledger())
    assert {p.offer_id for plan in few.values() for p in plan.placements} == {"ss"}


def test_rollout_opens_only_as_many_groups_as_reach_the_minimum():
    index = OfferIndex(
        [offer("w", WORKSHOP, 3, "s1", capacity=4, min_group=3), offer("ss", SELF, 3)]
    )
    plans = plan_rollout([learner(f"e{i}") for i in range(5)], index, Ledger())
    assert [plans[f"e{i}"].placements[0].group_id for i in range(5)] == ["w/s1/1"] * 4 + [None]


def test_rollout_caps_groups_by_runs_and_lets_the_rest_fall_through():
    index = OfferIndex(
        [
            offer("w", WORKSHOP, 3, "s1", capacity=3, min_group=2, runs=1),
            offer("w-r", WORKSHOP, 3, "s2", capacity=10, remote=True),
            offer("ss", SELF, 3),
        ]
    )
    plans = plan_rollout([learner(f"e{i}") for i in range(5)], index, Ledger())
    assert [plans[f"e{i}"].placements[0].group_id for i in range(5)] == [
        "w/s1/1",
        "w/s1/1",
        "w/s1/1",
        "w-r/remote/1",
        "w-r/remote/1",
    ]


def test_rollout_fills_open_groups_first():
    index = OfferIndex([offer("w", WORKSHOP, 3, "s1", capacity=4, min_group=3, runs=2)])
    ledger = Ledger()
    ledger.add("w", "s1", "w/s1/1", "plan", count=3)
    plans = plan_rollout([learner(f"e{i}") for i in range(5)], index, ledger)
    groups = [plans[f"e{i}"].placements[0].group_id for i in range(5)]
    assert groups == ["w/s1/1", "w/s1/2", "w/s1/2", "w/s1/2", "w/s1/2"]


def test_rollout_circles_mix_process_steps():
    index = OfferIndex([offer("c", CIRCLE, 3, "s1", capacity=4, min_group=2, chain=CHAIN)])
    people = [learner(f"e{i}", "s1", CHAIN[i // 2]) for i in range(8)]  # two per step
    plans = plan_rollout(people, index, Ledger())
    steps: dict[str, set[str]] = {}
    for plan in plans.values():
        item = plan.placements[0]
        assert item.group_id is not None and item.process_id is not None
        steps.setdefault(item.group_id, set()).add(item.process_id)
    assert steps == {"c/s1/1": set(CHAIN), "c/s1/2": set(CHAIN)}


def test_rollout_gives_scarce_mentors_to_the_earliest_due_gaps():
    index = OfferIndex([offer("m", MENTOR, 3, "s1", capacity=1), offer("ss", SELF, 3)])
    late = learner("a", "s1", "plan", Gap("sap", 1, 3, due_on=date(2027, 6, 1)))
    early = learner("b", "s1", "plan", Gap("sap", 1, 3, due_on=date(2027, 3, 1)))
    plans = plan_rollout([late, early], index, Ledger())
    assert plans["b"].placements[0].offer_id == "m" and plans["a"].placements[0].offer_id == "ss"


def test_rollout_keeps_pinned_items_and_plans_around_them():
    index = OfferIndex([offer("m", MENTOR, 3, "s1", capacity=1), offer("ss", SELF, 3)])
    ledger = Ledger()
    first = plan_rollout([learner("a"), learner("b")], index, ledger)
    pinned = {"a": first["a"].placements}
    again = plan_rollout([learner("b"), learner("a")], index, ledger, pinned=pinned)
    assert again["a"].placements == first["a"].placements
    assert again["b"].placements[0].offer_id == "ss"  # the mentor is a's: capacity 1
    assert ledger.used("m") == 1


def test_rollout_skips_excluded_offers_and_ignores_the_order_of_learners():
    index = OfferIndex([offer("m", MENTOR, 3, "s1", capacity=5), offer("ss", SELF, 3)])
    people = [learner(f"e{i}") for i in range(6)]
    plans = plan_rollout(people, index, Ledger(), excluded={"e2": frozenset({"m"})})
    chosen = [plans[f"e{i}"].placements[0].offer_id for i in range(6)]
    assert chosen == ["m", "m", "ss", "m", "m", "m"]
    random.Random(1).shuffle(people)
    shuffled = plan_rollout(people, index, Ledger(), excluded={"e2": frozenset({"m"})})
    assert shuffled == plans


# --- totals -------------------------------------------------------------------------------


def test_totals_count_external_cost_avoided_and_the_in_house_share():
    def item(kind: ItemKind, cost: float, equivalent: float, closes: bool = True) -> Placement:
        return Placement(
            "e", "c", 3, kind, 10, cost, "r", closes_gap=closes, external_equivalent_eur=equivalent
        )

    totals = plan_totals(
        [
            item(MENTOR, 0, 1000),
            item(SELF, 0, 800),
            item(SELF, 0, 0, closes=False),
            item(EXTERNAL, 1200, 1200),
            item(UNMATCHED, 0, 0),
        ]
    )
    assert totals.hours == 50 and totals.cost_eur == 1200
    assert totals.external_cost_eur == 1200 and totals.all_external_cost_eur == 3000
    assert totals.external_cost_avoided_eur == 1800
    assert totals.in_house_share == 0.5
    assert plan_totals([]).in_house_share == 0
