"""Read models of a rollout: one employee's view, and participation per site."""

from gegenstrom_runtime.auth import Principal
from gegenstrom_runtime.service import Infrastructure
from intake.errors import Rejected
from intake.rollouts.handlers import rollout_of
from intake.rollouts.model import in_scope, new_role


async def my_rollout(infra: Infrastructure, rollout_id: str, employee_id: str) -> dict:
    rollout = await rollout_of(infra, rollout_id)
    employee = await infra.db["employees"].find_one({"_id": employee_id, "status": "active"})
    if employee is None:
        raise Rejected([f"no active employee {employee_id}"], status=404)
    wave = next((w for w in rollout.waves if w.site_id == employee["site_id"]), None)
    future_role = new_role(rollout, employee["role_id"])
    return {
        "rollout_id": rollout_id,
        "title": rollout.title,
        "in_scope": in_scope(rollout, employee),
        "current_role_id": employee["role_id"],
        "new_role_id": future_role,
        "wave": wave.model_dump(mode="json") if wave else None,
        "requirements": [
            r.model_dump()
            for r in rollout.requirements
            if (not r.role_ids or future_role in r.role_ids or employee["role_id"] in r.role_ids)
            and (not r.process_ids or employee.get("process_id") in r.process_ids)
        ],
    }


async def participation(infra: Infrastructure, rollout_id: str, who: Principal, k: int) -> dict:
    """Employees in scope and inputs received per site, with cells under k (the works
    agreement's) suppressed."""
    rollout = await rollout_of(infra, rollout_id)
    sites = [s for s in rollout.site_ids if who.covers_site(s)]
    in_scope_ids: dict[str, set[str]] = {s: set() for s in sites}
    async for e in infra.db["employees"].find({"status": "active", "site_id": {"$in": sites}}):
        if in_scope(rollout, e):
            in_scope_ids[e["site_id"]].add(e["_id"])
    submitted = {
        doc["content"]["employee_id"]
        async for doc in infra.db["employee_inputs"].find({"content.rollout_id": rollout_id})
    }
    rows = {
        s: {"employees_in_scope": len(ids), "inputs_received": len(ids & submitted)}
        for s, ids in in_scope_ids.items()
    }
    return {"rollout_id": rollout_id, "k": k, "sites": suppress(rows, k)}


def suppress(rows: dict[str, dict[str, int]], k: int) -> dict[str, dict[str, int | None]]:
    """Hide counts of groups smaller than k, and one more site's when only one would be
    hidden, so that no hidden count follows from a total by subtraction."""
    small = {s for s, r in rows.items() if r["employees_in_scope"] < k}
    if len(small) == 1 and len(rows) > 1:
        others = sorted((r["employees_in_scope"], s) for s, r in rows.items() if s not in small)
        small.add(others[0][1])
    return {s: (dict.fromkeys(r, None) if s in small else dict(r)) for s, r in rows.items()}
