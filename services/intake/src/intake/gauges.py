"""Domain gauges of intake: employees in scope and inputs per rollout and site.

Cells of fewer than k people are not exported (see ``ServiceMetrics.set_rollout_gauges``).
"""

from collections import Counter

from gegenstrom_runtime.service import Infrastructure
from intake.rollouts.model import RolloutForm, in_scope


async def update_gauges(infra: Infrastructure) -> None:
    inputs: Counter[tuple[str, str]] = Counter()
    fields = {"content.rollout_id": 1, "content.site_id": 1}
    async for doc in infra.db["employee_inputs"].find({}, fields):
        content = doc["content"]
        inputs[(content["rollout_id"], content.get("site_id") or "")] += 1
    employees = await infra.db["employees"].find({"status": "active"}).to_list(None)
    scope: Counter[tuple[str, str]] = Counter()
    async for doc in infra.db["rollouts"].find({}, {"content": 1}):
        rollout = RolloutForm.model_validate(doc["content"])
        for employee in employees:
            if in_scope(rollout, employee):
                scope[(doc["_id"], employee["site_id"])] += 1
    infra.metrics.set_rollout_gauges("inputs", inputs)
    infra.metrics.set_rollout_gauges("employees_in_scope", scope)
