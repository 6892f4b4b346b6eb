"""Domain gauge of profiling: competence profiles per rollout and site.

Cells of fewer than k people are not exported (see ``ServiceMetrics.set_rollout_gauges``).
"""

from collections import Counter

from gegenstrom_runtime.service import Infrastructure


async def update_gauges(infra: Infrastructure, k: int) -> None:
    sites = {
        doc["_id"]: doc["event"].get("site_id") or ""
        async for doc in infra.db["inputs"].find({}, {"event.site_id": 1})
    }
    profiles: Counter[tuple[str, str]] = Counter()
    async for doc in infra.db["profiles"].find({}, {"_id": 1}):
        rollout_id = doc["_id"].split(":", 1)[0]
        profiles[(rollout_id, sites.get(doc["_id"], ""))] += 1
    infra.metrics.set_rollout_gauges("profiles", profiles, k=k)
