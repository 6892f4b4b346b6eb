"""How fast the matching engine plans a whole rollout, and how much memory it takes.

Pure: no servers. Generates a synthetic organisation (sites, a six-step process chain,
about 20 competences, mentors, workshops, exchange circles, self-study and external
courses), times ``plan_rollout`` over all gaps and ``plan_one`` for single learners
against the ledger that holds the rollout. Each size runs in a fresh process, so the peak
memory printed is that size's own. Prints the numbers; asserts nothing.

    make bench-engine                   # 10,000 and 100,000 employees
    uv run python bench/matching_engine.py --employees 1000000 --incremental 2000
"""

import argparse
import gc
import json
import random
import resource
import subprocess
import sys
import time
from collections import Counter
from dataclasses import replace
from datetime import date, timedelta

from gegenstrom_contracts.training_match import ItemKind
from training_match.engine import (
    Gap,
    Learner,
    Ledger,
    Offer,
    OfferIndex,
    Plan,
    plan_one,
    plan_rollout,
    plan_totals,
)

CHAIN = ("order-intake", "planning", "purchasing", "production", "quality", "shipping")
COMPETENCES = [f"comp-{i:02d}" for i in range(20)]
FIRST_WAVE = date(2027, 3, 1)
COLUMNS = (
    ("mentor", ItemKind.MENTOR),
    ("workshop", ItemKind.INTERNAL_WORKSHOP),
    ("circle", ItemKind.EXCHANGE_CIRCLE),
    ("self", ItemKind.SELF_STUDY),
    ("external", ItemKind.EXTERNAL_COURSE),
    ("unmatched", ItemKind.UNMATCHED),
)


def site_ids(sites: int) -> list[str]:
    return [f"site-{i:03d}" for i in range(sites)]


def employee_id(n: int) -> str:
    return f"emp-{n:07d}"


def learners(rng: random.Random, employees: int, sites: int, gaps: int) -> list[Learner]:
    """Employees spread over the sites, each with ``gaps`` gaps in distinct competences.

    Equal gaps are shared objects, as a loader that interns them would hold them.
    """
    interned: dict[Gap, Gap] = {}
    places = site_ids(sites)
    steps = [*CHAIN, None]
    found = []
    for n in range(employees):
        site = rng.randrange(sites)
        due_on = FIRST_WAVE + timedelta(weeks=site % 10)
        own = []
        for priority, competence in enumerate(rng.sample(COMPETENCES, gaps), start=1):
            current = rng.randint(0, 2)
            target = min(5, current + rng.randint(1, 3))
            gap = Gap(competence, current, target, priority, due_on)
            own.append(interned.setdefault(gap, gap))
        found.append(Learner(employee_id(n), places[site], rng.choice(steps), tuple(own)))
    return found


def offers(rng: random.Random, employees: int, sites: int) -> list[Offer]:
    """Per site mentors, workshops and circles; per competence self-study and courses."""
    found: list[Offer] = []
    for site in site_ids(sites):
        found += [_mentor(rng, site, i, employees) for i in range(12)]
        found += [_workshop(rng, site, i) for i in range(8)]
        found += [_circle(rng, site, i) for i in range(3)]
    for competence in COMPETENCES:
        found += [_self_study(rng, competence, level) for level in (1, 2, 3)]
        found += [_external(rng, competence, i, sites) for i in range(4)]
    return found


def _mentor(rng: random.Random, site: str, i: int, employees: int) -> Offer:
    return Offer(
        offer_id=f"mentor-{site}-{i}",
        kind=ItemKind.MENTOR,
        competence_id=rng.choice(COMPETENCES),
        reaches_level=rng.randint(3, 5),
        hours=rng.choice((6.0, 8.0, 12.0)),
        site_ids=frozenset({site}),
        remote=rng.random() < 0.3,
        capacity=rng.randint(2, 3),
        host_id=employee_id(rng.randrange(employees)),
        title=f"Mentoring {i}",
    )


def _workshop(rng: random.Random, site: str, i: int) -> Offer:
    return Offer(
        offer_id=f"workshop-{site}-{i}",
        kind=ItemKind.INTERNAL_WORKSHOP,
        competence_id=rng.choice(COMPETENCES),
        reaches_level=rng.randint(2, 4),
        hours=rng.choice((8.0, 12.0, 16.0)),
        site_ids=frozenset({site}),
        remote=rng.random() < 0.5,
        capacity=rng.randint(6, 12),
        min_group=rng.randint(3, 4),
        runs=rng.randint(1, 3),
        host_id=f"trainer-{site}-{i}",
        starts_on=FIRST_WAVE,
        title=f"Workshop {i}",
    )


def _circle(rng: random.Random, site: str, i: int) -> Offer:
    return Offer(
        offer_id=f"circle-{site}-{i}",
        kind=ItemKind.EXCHANGE_CIRCLE,
        competence_id=rng.choice(COMPETENCES),
        reaches_level=rng.randint(2, 4),
        hours=10.0,
        site_ids=frozenset({site}),
        remote=rng.random() < 0.3,
        capacity=rng.randint(8, 12),
        min_group=4,
        runs=2,
        chain=CHAIN,
        title=f"Exchange circle {i}",
    )


def _self_study(rng: random.Random, competence: str, level: int) -> Offer:
    return Offer(
        offer_id=f"self-{competence}-{level}",
        kind=ItemKind.SELF_STUDY,
        competence_id=competence,
        reaches_level=level,
        hours=float(rng.randint(4, 10)),
        remote=True,
        title=f"Self-study level {level}",
    )


def _external(rng: random.Random, competence: str, i: int, sites: int) -> Offer:
    remote = rng.random() < 0.5
    served = frozenset() if remote else frozenset(rng.sample(site_ids(sites), min(10, sites)))
    return Offer(
        offer_id=f"external-{competence}-{i}",
        kind=ItemKind.EXTERNAL_COURSE,
        competence_id=competence,
        reaches_level=rng.randint(3, 5),
        hours=float(rng.choice((16, 24, 40))),
        cost_eur=float(rng.randrange(500, 3000, 50)),
        site_ids=served,
        remote=remote,
        title=f"Course {i}",
    )


def replan(
    rng: random.Random,
    plans: dict[str, Plan],
    people: list[Learner],
    index: OfferIndex,
    ledger: Ledger,
    count: int,
) -> float:
    """Microseconds per learner of ``plan_one`` after a profile update (one gap rises).

    Collects garbage first: the rollout ran with the collector paused, and its first pass
    over the rollout's objects is no part of planning one learner.
    """
    gc.collect()
    chosen = rng.sample(people, min(count, len(people)))
    elapsed = 0.0
    for learner in chosen:
        first, *rest = learner.gaps
        risen = replace(first, target_level=min(5, first.target_level + 1))
        updated = replace(learner, gaps=(risen, *rest))
        previous = plans[learner.employee_id].placements
        started = time.perf_counter()
        plans[learner.employee_id] = plan_one(updated, index, ledger, previous=previous)
        elapsed += time.perf_counter() - started
    return elapsed / max(1, len(chosen)) * 1e6


def run_one(args: argparse.Namespace, employees: int) -> dict:
    rng = random.Random(args.seed)
    people = learners(rng, employees, args.sites, args.gaps)
    index = OfferIndex(offers(rng, employees, args.sites))
    ledger = Ledger()
    started = time.perf_counter()
    plans = plan_rollout(people, index, ledger)
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    placements = [p for plan in plans.values() for p in plan.placements]
    kinds = Counter(p.kind for p in placements if p.closes_gap)
    totals = plan_totals(placements)
    return {
        "employees": employees,
        "gaps": sum(kinds.values()),
        "seconds": seconds,
        "peak_mb": peak_mb,
        "kinds": {name: kinds[kind] for name, kind in COLUMNS},
        "preparation": sum(1 for p in placements if not p.closes_gap),
        "avoided_eur": totals.external_cost_avoided_eur,
        "in_house_share": totals.in_house_share,
        "reasons": len({p.reason for p in placements}),
        "incremental_us": replan(rng, plans, people, index, ledger, args.incremental),
    }


def print_table(rows: list[dict]) -> None:
    names = [name for name, _ in COLUMNS]
    head = ["employees", "gaps", "rollout s", "peak MB", *names, "prep", "avoided EUR"]
    head += ["share", "reasons", "one µs"]
    print(" ".join(f"{h:>11}" for h in head))
    for row in rows:
        cells = [f"{row['employees']:,}", f"{row['gaps']:,}", f"{row['seconds']:.2f}"]
        cells += [f"{row['peak_mb']:,.0f}", *(f"{row['kinds'][n]:,}" for n in names)]
        cells += [f"{row['preparation']:,}", f"{row['avoided_eur']:,.0f}"]
        cells += [f"{row['in_house_share']:.3f}", f"{row['reasons']:,}"]
        cells += [f"{row['incremental_us']:,.0f}"]
        print(" ".join(f"{c:>11}" for c in cells))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--employees", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--sites", type=int, default=50)
    parser.add_argument("--gaps", type=int, default=6, help="gaps per employee")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--incremental", type=int, default=1000, help="learners to re-plan")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # a child's single size
    args = parser.parse_args()
    if args.one is not None:
        print(json.dumps(run_one(args, args.one)))
        return
    rows = []
    for employees in args.employees:
        child = [sys.executable, __file__, "--one", str(employees), "--sites", str(args.sites)]
        child += ["--gaps", str(args.gaps), "--seed", str(args.seed)]
        child += ["--incremental", str(args.incremental)]
        done = subprocess.run(child, check=True, capture_output=True, text=True)
        rows.append(json.loads(done.stdout))
    print_table(rows)


if __name__ == "__main__":
    main()
