"""Domain gauges of training-match per rollout and site: plans, in-house share of the
gaps and external cost avoided. Cells of fewer than k learners are not exported."""

from collections import defaultdict

from gegenstrom_runtime.service import Infrastructure

FIELDS = {"content.totals": 1, "content.items.closes_gap": 1}


async def update_gauges(infra: Infrastructure, k: int) -> None:
    sites = {
        doc["_id"]: doc.get("site_id") or ""
        async for doc in infra.db["learners"].find({}, {"site_id": 1})
    }
    plans: dict[tuple[str, str], int] = defaultdict(int)
    gaps: dict[tuple[str, str], float] = defaultdict(float)
    in_house: dict[tuple[str, str], float] = defaultdict(float)
    avoided: dict[tuple[str, str], float] = defaultdict(float)
    async for doc in infra.db["learning_plans"].find({}, FIELDS):
        key = (doc["_id"].rsplit(":", 1)[0], sites.get(doc["_id"], ""))
        totals = doc["content"]["totals"]
        plans[key] += 1
        avoided[key] += totals.get("external_cost_avoided_eur", 0.0)
        plan_gaps = sum(1 for item in doc["content"].get("items", []) if item.get("closes_gap"))
        gaps[key] += plan_gaps
        in_house[key] += totals.get("in_house_share", 0.0) * plan_gaps
    share = {key: in_house[key] / gaps[key] if gaps[key] else 0.0 for key in plans}
    metrics = infra.metrics
    metrics.set_rollout_gauges("plans", plans, k=k)
    metrics.set_rollout_gauges("in_house_share", share, people=plans, k=k)
    metrics.set_rollout_gauges("external_cost_avoided_eur", avoided, people=plans, k=k)
