"""HTTP API of profiling: one's own profile, released profiles, and k-anonymous aggregates.

Reads of someone else's profile are logged (``PersonalDataAccessed``). The works agreement's
``mentors_see_profiles`` does not apply here: profiling does not know who mentors whom
(training-match does), so mentors read no profiles but their own.
"""

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request

from gegenstrom_contracts.privacy import AccessedData
from gegenstrom_runtime.access import Caller, forbidden, require
from gegenstrom_runtime.auth import Principal, Role
from gegenstrom_runtime.privacy import Clock, WorksAgreement, record_access
from gegenstrom_runtime.service import Infrastructure
from profiling.handlers import profiles
from profiling.views import aggregates

Aggregates = Annotated[
    Principal,
    Depends(require(Role.MANAGER, Role.HR, Role.ADMIN, Role.WORKS_COUNCIL, Role.OPS)),
]


def router(infra: Infrastructure, agreement: WorksAgreement, clock: Clock) -> APIRouter:
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
            data = AccessedData.COMPETENCE_PROFILE
            await record_access(infra.uow, "profiling", who, [employee_id], data, clock)
        return {
            "employee_id": employee_id,
            "rollout_id": rollout_id,
            "profile_version": doc["version"],
            **doc["content"],
        }

    @api.get("/v1/aggregates/{rollout_id}")
    async def get_aggregates(
        rollout_id: str, who: Aggregates, k: Annotated[int | None, Query(ge=2, le=100)] = None
    ) -> dict:
        """Per site, department and competence; cells of fewer than k employees hidden
        (k at least the works agreement's)."""
        floor = (await agreement.terms()).k
        if k is not None and k < floor:
            raise HTTPException(422, f"k must be at least {floor} (the works agreement's)")
        return await aggregates(infra, rollout_id, who, k or floor)

    return api


def _may_see_released(request: Request, who: Principal, employee_input: dict) -> None:
    if who.role not in (Role.MANAGER, Role.HR, Role.ADMIN):
        raise forbidden(request, who, "profiles are shown to their employee, managers and HR")
    if not who.covers_site(employee_input["site_id"]):
        raise forbidden(request, who, f"token does not cover site {employee_input['site_id']}")
    if "profile" not in employee_input.get("released_to_manager", []):
        raise forbidden(request, who, "the employee has not released their profile")
