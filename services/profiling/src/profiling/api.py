"""HTTP API of profiling: one's own profile, released profiles, and k-anonymous aggregates."""

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request

from gegenstrom_runtime.access import Caller, forbidden, require
from gegenstrom_runtime.auth import Principal, Role
from gegenstrom_runtime.service import Infrastructure
from profiling.handlers import profiles
from profiling.views import K_DEFAULT, aggregates

Aggregates = Annotated[
    Principal,
    Depends(require(Role.MANAGER, Role.HR, Role.ADMIN, Role.WORKS_COUNCIL, Role.OPS)),
]


def router(infra: Infrastructure) -> APIRouter:
    api = APIRouter(tags=["profiles"])

    @api.get("/v1/profiles/{rollout_id}/{employee_id}")
    async def get_profile(rollout_id: str, employee_id: str, request: Request, who: Caller) -> dict:
        """One's own profile; others' only when the employee released it, for their sites."""
        doc = await profiles(infra).get(f"{rollout_id}:{employee_id}")
        employee_input = await infra.db["inputs"].find_one({"_id": f"{rollout_id}:{employee_id}"})
        if doc is None or employee_input is None:
            raise HTTPException(404, f"no profile of {employee_id} in rollout {rollout_id}")
        if who.subject != employee_id:
            _may_see_released(request, who, employee_input["event"])
        return {
            "employee_id": employee_id,
            "rollout_id": rollout_id,
            "profile_version": doc["version"],
            **doc["content"],
        }

    @api.get("/v1/aggregates/{rollout_id}")
    async def get_aggregates(
        rollout_id: str, who: Aggregates, k: int = Query(K_DEFAULT, ge=K_DEFAULT, le=100)
    ) -> dict:
        """Per site, department and competence; cells of fewer than k employees hidden."""
        return await aggregates(infra, rollout_id, who, k)

    return api


def _may_see_released(request: Request, who: Principal, employee_input: dict) -> None:
    if who.role not in (Role.MANAGER, Role.HR, Role.ADMIN):
        raise forbidden(request, who, "profiles are shown to their employee, managers and HR")
    if not who.covers_site(employee_input["site_id"]):
        raise forbidden(request, who, f"token does not cover site {employee_input['site_id']}")
    if "profile" not in employee_input.get("released_to_manager", []):
        raise forbidden(request, who, "the employee has not released their profile")
