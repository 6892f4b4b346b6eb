"""HTTP API of intake."""

from fastapi import APIRouter, HTTPException, Response, status

from gegenstrom_runtime.service import Infrastructure
from intake.domain import EmployeeInputForm
from intake.handlers import Submitted, employee_inputs, submit_input


def router(infra: Infrastructure) -> APIRouter:
    api = APIRouter(prefix="/v1", tags=["employee input"])

    @api.post("/employee-inputs", status_code=status.HTTP_201_CREATED)
    async def post_input(form: EmployeeInputForm, response: Response) -> Submitted:
        """Submit or re-submit an employee's input; the same input again changes nothing."""
        submitted = await submit_input(infra, form)
        if not submitted.changed:
            response.status_code = status.HTTP_200_OK
        return submitted

    @api.get("/rollouts/{rollout_id}/employee-inputs/{employee_id}")
    async def get_input(rollout_id: str, employee_id: str) -> dict:
        doc = await employee_inputs(infra).get(f"{rollout_id}:{employee_id}")
        if doc is None:
            raise HTTPException(404, f"no input of employee {employee_id} for rollout {rollout_id}")
        return {"input_version": doc["version"], **doc["content"]}

    return api
