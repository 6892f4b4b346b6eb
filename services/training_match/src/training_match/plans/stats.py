"""Plan statistics per site of a rollout, k-anonymous as the works council requires."""

from collections import defaultdict

from gegenstrom_contracts.training_match import ItemKind
from gegenstrom_runtime.aggregates import EMPLOYEES, suppressed, suppressed_totals
from gegenstrom_runtime.auth import Principal
from training_match.plans.repository import PlanRepository

ALL_SITES = "*"


async def plan_stats(repo: PlanRepository, rollout_id: str, who: Principal, k: int) -> dict:
    rows = await _rows(repo, rollout_id, who)
    cells = suppressed(rows, k, groups=[()])  # the rollout total is published too
    total = suppressed_totals(rows, cells, k, keep=()).get((), None)
    return {
        "rollout_id": rollout_id,
        "k": k,
        "sites": {key[0]: _shares(row) for key, row in cells.items()},
        "total": _shares(total) if rows else None,
    }


async def _rows(repo: PlanRepository, rollout_id: str, who: Principal) -> dict:
    sites = {d["employee_id"]: d["site_id"] for d in await repo.learners_of(rollout_id, None)}
    rows: dict[tuple[str], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for employee_id, doc in (await repo.plans_of(rollout_id)).items():
        site = sites.get(employee_id)
        if site is None or not who.covers_site(site):
            continue
        row, totals = rows[(site,)], doc["content"]["totals"]
        row[EMPLOYEES] += 1
        for field in ("hours", "cost_eur", "external_cost_eur", "external_cost_avoided_eur"):
            row[field] += totals[field]
        for item in doc["content"]["items"]:
            if item["closes_gap"]:
                row["gaps"] += 1
                row[f"items_{item['kind']}"] += 1
    return {key: dict(row) for key, row in rows.items()}


def _shares(row: dict | None) -> dict | None:
    """The row with the in-house share of its gaps."""
    if row is None:
        return None
    in_house = sum(
        row.get(f"items_{k.value}", 0)
        for k in ItemKind
        if k not in (ItemKind.EXTERNAL_COURSE, ItemKind.UNMATCHED)
    )
    return {**row, "in_house_share": round(in_house / row["gaps"], 4) if row.get("gaps") else 0.0}
