"""HTTP API of rollouts: management's definition, proposals, profiles and ideas."""

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, Response

from gegenstrom_contracts.privacy import AccessedData
from gegenstrom_runtime.access import Caller, forbidden, require, require_self_or
from gegenstrom_runtime.auth import Principal, Role
from gegenstrom_runtime.service import Infrastructure
from intake.privacy.context import Privacy
from intake.rollouts import handlers
from intake.rollouts.model import IdeaAnswer, IdeaForm, ProfileForm, Proposal, RolloutForm
from intake.rollouts.views import my_rollout, participation

HrOrAdmin = Annotated[Principal, Depends(require(Role.HR, Role.ADMIN))]
Management = Annotated[Principal, Depends(require(Role.MANAGER, Role.HR, Role.ADMIN))]
Aggregates = Annotated[
    Principal,
    Depends(require(Role.MANAGER, Role.HR, Role.ADMIN, Role.WORKS_COUNCIL, Role.OPS)),
]
REQUIREMENT = "/v1/rollouts/{rollout_id}/requirements/{requirement_id}"


def router(infra: Infrastructure, privacy: Privacy) -> APIRouter:
    api = APIRouter(tags=["rollouts"])

    @api.put("/v1/rollouts/{rollout_id}", status_code=201)
    async def put_rollout(
        rollout_id: str, form: RolloutForm, request: Request, response: Response, who: Management
    ) -> dict:
        """Define or change a rollout; managers only for rollouts within their sites."""
        for site_id in form.site_ids:
            if not who.covers_site(site_id):
                raise forbidden(request, who, f"token does not cover site {site_id}")
        version = await handlers.put_rollout(infra, rollout_id, form)
        if version is None:
            response.status_code = 200
        return {"rollout_id": rollout_id, "changed": version is not None}

    @api.get("/v1/rollouts/{rollout_id}")
    async def get_rollout(rollout_id: str, who: Caller) -> dict:
        doc = await handlers.rollouts(infra).get(rollout_id)
        if doc is None:
            raise HTTPException(404, f"no rollout {rollout_id}")
        return {"rollout_id": rollout_id, "rollout_version": doc["version"], **doc["content"]}

    @api.get("/v1/rollouts/{rollout_id}/me")
    async def get_my_rollout(rollout_id: str, who: Caller) -> dict:
        """What the rollout means for the caller: current and new role, wave, requirements."""
        return await my_rollout(infra, rollout_id, who.subject)

    @api.get("/v1/rollouts/{rollout_id}/participation")
    async def get_participation(rollout_id: str, who: Aggregates) -> dict:
        """Employees in scope and inputs received per site; small groups suppressed."""
        k = (await privacy.agreement.terms()).k
        return await participation(infra, rollout_id, who, k)

    @api.put(REQUIREMENT + "/proposals/{employee_id}", status_code=204)
    async def put_proposal(
        rollout_id: str,
        requirement_id: str,
        employee_id: str,
        proposal: Proposal,
        request: Request,
        who: Caller,
    ) -> None:
        """An employee proposes concrete competences and levels for a requirement."""
        if who.subject != employee_id or who.role != Role.EMPLOYEE:
            raise forbidden(request, who, "only the employee proposes for themself")
        await handlers.propose(infra, rollout_id, requirement_id, employee_id, proposal)

    @api.get(REQUIREMENT + "/proposals/{employee_id}")
    async def get_proposal(
        rollout_id: str, requirement_id: str, employee_id: str, request: Request, who: Caller
    ) -> dict:
        require_self_or(request, who, employee_id, Role.HR, Role.ADMIN)
        doc = await infra.db["proposals"].find_one(
            {"_id": f"{rollout_id}:{requirement_id}:{employee_id}"}, {"_id": 0, "at": 0}
        )
        if doc is None:
            raise HTTPException(404, f"no proposal of {employee_id} for {requirement_id}")
        await privacy.accessed(who, [employee_id], AccessedData.EMPLOYEE_INPUT)
        return doc

    @api.get(REQUIREMENT + "/proposals")
    async def get_proposal_summary(rollout_id: str, requirement_id: str, who: HrOrAdmin) -> dict:
        """Proposals aggregated: how many proposed what, with which level."""
        return await handlers.proposal_summary(infra, rollout_id, requirement_id)

    @api.put(REQUIREMENT + "/profile", status_code=201)
    async def put_profile(
        rollout_id: str, requirement_id: str, form: ProfileForm, response: Response, who: HrOrAdmin
    ) -> dict:
        """HR confirms the concrete profile; each change is a new published version."""
        version = await handlers.confirm_profile(infra, rollout_id, requirement_id, form)
        if version is None:
            response.status_code = 200
        return {"changed": version is not None}

    @api.get(REQUIREMENT + "/profile")
    async def get_profile(rollout_id: str, requirement_id: str, who: Caller) -> dict:
        doc = await handlers.profiles(infra).get(f"{rollout_id}:{requirement_id}")
        if doc is None:
            raise HTTPException(404, f"no confirmed profile for {requirement_id}")
        return {"profile_version": doc["version"], **doc["content"]}

    @api.post("/v1/rollouts/{rollout_id}/ideas", status_code=201)
    async def post_idea(rollout_id: str, form: IdeaForm, request: Request, who: Caller) -> dict:
        if who.subject != form.employee_id:
            raise forbidden(request, who, "ideas are submitted by their author")
        return {"idea_id": await handlers.submit_idea(infra, rollout_id, form)}

    @api.get("/v1/rollouts/{rollout_id}/ideas")
    async def list_ideas(rollout_id: str, who: Management, process_id: str | None = None) -> dict:
        """Ideas grouped by process step, without their authors; managers see their sites."""
        query: dict = {"rollout_id": rollout_id}
        if process_id:
            query["process_id"] = process_id
        if who.sites:
            query["site_id"] = {"$in": sorted(who.sites)}
        groups: dict[str, list] = {}
        async for idea in infra.db["ideas"].find(query, {"author_id": 0}).sort("created_at"):
            groups.setdefault(idea["process_id"] or "(none)", []).append(
                {"idea_id": idea.pop("_id"), **idea}
            )
        return {"rollout_id": rollout_id, "by_process": groups}

    @api.post("/v1/ideas/{idea_id}/status")
    async def answer_idea(
        idea_id: str, answer: IdeaAnswer, request: Request, who: Management
    ) -> dict:
        idea = await infra.db["ideas"].find_one({"_id": idea_id})
        if idea is None:
            raise HTTPException(404, f"no idea {idea_id}")
        if not who.covers_site(idea["site_id"]):
            raise forbidden(request, who, f"token does not cover site {idea['site_id']}")
        updated = await handlers.answer_idea(infra, idea, answer, who.role.value)
        return {
            "idea_id": idea_id,
            "status": updated["status"],
            "status_version": updated["status_version"],
        }

    return api
