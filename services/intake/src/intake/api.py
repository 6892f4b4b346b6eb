"""HTTP API of intake: employee input."""

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, Response, status

from gegenstrom_contracts.privacy import AccessedData
from gegenstrom_runtime.access import Caller, require, require_self_or, require_site
from gegenstrom_runtime.auth import Principal, Role
from gegenstrom_runtime.service import Infrastructure
from intake.domain import EmployeeInputForm, released_part
from intake.handlers import Submitted, employee_inputs, submit_input
from intake.privacy.context import Privacy


def router(infra: Infrastructure, privacy: Privacy) -> APIRouter:
    api = APIRouter(prefix="/v1", tags=["employee input"])
    submitter = require(Role.EMPLOYEE, Role.ADMIN)

    @api.post("/employee-inputs", status_code=status.HTTP_201_CREATED)
    async def post_input(
        form: EmployeeInputForm,
        request: Request,
        response: Response,
        who: Annotated[Principal, Depends(submitter)],
    ) -> Submitted:
        """Submit or re-submit one's own input; the same input again changes nothing."""
        require_self_or(request, who, form.employee_id, Role.ADMIN)
        submitted = await submit_input(infra, form)
        if not submitted.changed:
            response.status_code = status.HTTP_200_OK
        return submitted

    @api.get("/rollouts/{rollout_id}/employee-inputs/{employee_id}")
    async def get_input(rollout_id: str, employee_id: str, request: Request, who: Caller) -> dict:
        """One's own input whole; a manager of the site sees only what was released (or
        what the works agreement releases when the employee chose nothing)."""
        require_self_or(request, who, employee_id, Role.HR, Role.ADMIN, Role.MANAGER)
        doc = await employee_inputs(infra).get(f"{rollout_id}:{employee_id}")
        if doc is None:
            raise HTTPException(404, f"no input of employee {employee_id} for rollout {rollout_id}")
        content = doc["content"]
        if who.subject != employee_id:
            require_site(request, who, content["site_id"])
        if who.role == Role.MANAGER and who.subject != employee_id:
            terms = await privacy.agreement.terms()
            content = released_part(content, terms.managers_see_by_default)
        await privacy.accessed(who, [employee_id], AccessedData.EMPLOYEE_INPUT)
        return {"input_version": doc["version"], **content}

    return api
