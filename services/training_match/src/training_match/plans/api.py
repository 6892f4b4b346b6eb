"""HTTP API of learning plans: one's own plan, moving items on, mentors' requests,
trainers' cohorts, HR's approvals, rollout statistics and re-planning."""

from collections.abc import Iterable
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from pydantic import BaseModel

from gegenstrom_contracts.privacy import AccessedData
from gegenstrom_contracts.training_match import ItemKind, ItemStatus
from gegenstrom_contracts.types import Ref
from gegenstrom_runtime.access import Caller, require, require_self_or
from gegenstrom_runtime.auth import Principal, Role
from gegenstrom_runtime.privacy import Clock, WorksAgreement, record_access
from gegenstrom_runtime.service import Infrastructure
from training_match.offers.repository import OfferRepository
from training_match.plans.lifecycle import Action, Refused
from training_match.plans.progress import act
from training_match.plans.replanning import replan_now
from training_match.plans.repository import PlanRepository
from training_match.plans.stats import plan_stats

HrOrAdmin = Annotated[Principal, Depends(require(Role.HR, Role.ADMIN))]
Overseer = Annotated[
    Principal, Depends(require(Role.HR, Role.ADMIN, Role.WORKS_COUNCIL, Role.MANAGER, Role.OPS))
]


class ItemAction(BaseModel):
    item_id: str


def router(infra: Infrastructure, agreement: WorksAgreement, clock: Clock) -> APIRouter:
    """Reads that show other employees' plans, or who learns with whom, are logged."""
    api = APIRouter(tags=["learning plans"])
    plans = PlanRepository(infra.db)
    offers = OfferRepository(infra.db)

    async def logged(who: Principal, employee_ids: Iterable[str]) -> None:
        data = AccessedData.LEARNING_PLAN
        await record_access(infra.uow, "training_match", who, employee_ids, data, clock)

    @api.get("/v1/plans/{rollout_id}/{employee_id}")
    async def get_plan(
        rollout_id: Ref,
        employee_id: str,
        who: Caller,
        request: Request,
        version: Annotated[int | None, Query(ge=1)] = None,
    ) -> dict:
        """The employee's plan (or an older version): for them, HR and admins."""
        require_self_or(request, who, employee_id, Role.HR, Role.ADMIN)
        if version is None:
            doc = await plans.plan(rollout_id, employee_id)
        else:
            doc = await plans.plan_version(rollout_id, employee_id, version)
        if doc is None:
            raise HTTPException(404, f"no plan for {employee_id} in {rollout_id}")
        await logged(who, [employee_id])
        return _plan(rollout_id, employee_id, doc)

    @api.post("/v1/plans/{rollout_id}/{employee_id}/items/{action}")
    async def move_item(
        rollout_id: Ref, employee_id: str, action: Action, body: ItemAction, who: Caller
    ) -> dict:
        """accept/decline (mentor), approve/reject (HR), start/complete (employee), confirm
        (mentor or trainer); declines and rejections re-plan the item."""
        try:
            doc = await act(infra, rollout_id, employee_id, body.item_id, action, who)
        except Refused as refused:
            raise HTTPException(refused.status_code, str(refused)) from refused
        return _plan(rollout_id, employee_id, doc)

    @api.get("/v1/mentoring/requests")
    async def mentoring_requests(who: Caller) -> list[dict]:
        """The caller's mentees, asked for or accepted."""
        query = {"host_id": who.subject, "kind": ItemKind.MENTOR.value}
        found = _items_of(await plans.with_items(query), lambda i: i.get("host_id") == who.subject)
        await logged(who, (r["employee_id"] for r in found))
        return found

    @api.get("/v1/cohorts")
    async def cohorts(who: Caller, offer_id: str | None = None) -> list[dict]:
        """Workshop cohorts and circles: a trainer's own; all of them for HR and admins."""
        if who.role in (Role.HR, Role.ADMIN):
            hosted = await offers.find({} if offer_id is None else {"_id": offer_id}, 10_000)
        else:
            hosted = await offers.hosted_by(who.subject)
        titles = {o["_id"]: o for o in hosted if o["kind"] != ItemKind.MENTOR.value}
        groups = infra.db["groups"].find({"offer_id": {"$in": sorted(titles)}}).sort("_id", 1)
        found = [_group(g, titles[g["offer_id"]]) async for g in groups]
        await logged(who, (m for g in found for m in g["member_ids"]))
        return found

    @api.get("/v1/approvals")
    async def approvals(who: HrOrAdmin) -> list[dict]:
        """External courses waiting for HR's approval."""
        query = {"status": ItemStatus.AWAITING_APPROVAL.value}
        waiting = await plans.with_items(query, limit=10_000)
        found = _items_of(waiting, lambda i: i["status"] == ItemStatus.AWAITING_APPROVAL)
        await logged(who, (r["employee_id"] for r in found))
        return found

    @api.get("/v1/rollouts/{rollout_id}/plan-stats")
    async def stats(rollout_id: Ref, who: Overseer) -> dict:
        """Per site: plans, gaps by item kind, hours, costs and savings; k-suppressed."""
        return await plan_stats(plans, rollout_id, who, (await agreement.terms()).k)

    @api.post("/v1/rollouts/{rollout_id}/replan")
    async def replan(rollout_id: Ref, who: HrOrAdmin) -> dict:
        """Plan every gap of the rollout at once (a wave's kick-off, re-balancing)."""
        return {"rollout_id": rollout_id, "plans_changed": await replan_now(infra, rollout_id)}

    return api


def _plan(rollout_id: str, employee_id: str, doc: dict) -> dict:
    content = doc["content"]
    hidden = ("group_key", "process_id")
    return {
        "rollout_id": rollout_id,
        "employee_id": employee_id,
        "plan_version": doc["version"],
        "profile_version": doc["source_version"],
        "items": [{k: v for k, v in i.items() if k not in hidden} for i in content["items"]],
        "totals": content["totals"],
    }


def _items_of(plan_docs: list[dict], wanted) -> list[dict]:
    found = []
    for doc in plan_docs:
        rollout_id, employee_id = doc["_id"].rsplit(":", 1)
        for item in doc["content"]["items"]:
            if wanted(item):
                found.append(
                    {
                        "rollout_id": rollout_id,
                        "employee_id": employee_id,
                        **{
                            k: item[k]
                            for k in (
                                "item_id",
                                "competence_id",
                                "target_level",
                                "kind",
                                "status",
                                "offer_id",
                                "cost_eur",
                                "hours",
                                "due_on",
                            )
                        },
                    }
                )
    return found


def _group(group: dict, offer: dict) -> dict:
    return {
        "group_id": group["_id"],
        "offer_id": offer["_id"],
        "title": offer["title"],
        "kind": offer["kind"],
        "competence_id": offer["competence_id"],
        "site_id": group["group_key"],
        "formed": group["formed"],
        "size": len(group["members"]),
        "min_group": offer.get("min_group"),
        "max_group": offer.get("max_group"),
        "member_ids": sorted(m["member"].rsplit(":", 1)[1] for m in group["members"]),
    }
