"""Domain gauges of intake: employees in scope and their inputs per rollout and site.

Only inputs of employees the rollout concerns count, so participation never exceeds
100 % (anyone may give input, e.g. HR, but the gauges measure the rollout's reach).
Cells of fewer than k people are not exported (see ``ServiceMetrics.set_rollout_gauges``).
"""

from collections import Counter

from gegenstrom_runtime.service import Infrastructure
from intake.rollouts.model import RolloutForm, in_scope


async def update_gauges(infra: Infrastructure) -> None:
    employees = {
        e["_id"]: e for e in await infra.db["employees"].find({"status": "active"}).to_list(None)
    }
    concerned: dict[str, set[str]] = {}
    async for doc in infra.db["rollouts"].find({}, {"content": 1}):
        rollout = RolloutForm.model_validate(doc["content"])
        concerned[doc["_id"]] = {i for i, e in employees.items() if in_scope(rollout, e)}
    scope = Counter(
        (rollout_id, employees[i]["site_id"]) for rollout_id, ids in concerned.items() for i in ids
    )
    inputs: Counter[tuple[str, str]] = Counter()
    async for doc in infra.db["employee_inputs"].find({}, {"_id": 1}):
        rollout_id, employee_id = doc["_id"].rsplit(":", 1)
        if employee_id in concerned.get(rollout_id, ()):
            inputs[(rollout_id, employees[employee_id]["site_id"])] += 1
    infra.metrics.set_rollout_gauges("inputs", inputs)
    infra.metrics.set_rollout_gauges("employees_in_scope", scope)
