"""HTTP API of the privacy controls: erasure, works agreement, access log, retention."""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, Response, status

from gegenstrom_contracts.privacy import WorksAgreementTerms
from gegenstrom_runtime.access import Caller, require, require_self_or, require_site
from gegenstrom_runtime.auth import Principal, Role
from intake.privacy.access_log import AccessLog
from intake.privacy.context import Privacy
from intake.privacy.erasure import CONFIRMING, erase, erasure_status
from intake.privacy.retention import enforce_retention

Admin = Annotated[Principal, Depends(require(Role.ADMIN))]
Council = Annotated[Principal, Depends(require(Role.WORKS_COUNCIL, Role.ADMIN))]
ChangeReaders = Annotated[Principal, Depends(require(Role.WORKS_COUNCIL, Role.HR, Role.ADMIN))]
ERASURE = "/v1/employees/{employee_id}/erasure"


def router(privacy: Privacy) -> APIRouter:
    api = APIRouter(tags=["privacy"])
    api.include_router(_erasure(privacy))
    api.include_router(_agreement(privacy))
    api.include_router(_access_log(privacy))
    return api


def _erasure(privacy: Privacy) -> APIRouter:
    api = APIRouter()
    infra = privacy.infra

    @api.post(ERASURE, status_code=status.HTTP_202_ACCEPTED)
    async def post_erasure(
        employee_id: str, request: Request, response: Response, who: Caller
    ) -> dict:
        """Erase the employee (HR, admin, or they themself); again: 200 with the status."""
        require_self_or(request, who, employee_id, Role.HR, Role.ADMIN)
        employee = await infra.db["employees"].find_one({"_id": employee_id}, {"site_id": 1})
        if employee and who.subject != employee_id:
            require_site(request, who, employee["site_id"])
        if employee is None or not await erase(privacy, employee_id):
            response.status_code = status.HTTP_200_OK
            return await _status(employee_id)
        return {"employee_id": employee_id, "status": "erasing", "pending": list(CONFIRMING)}

    @api.get(ERASURE)
    async def get_erasure(employee_id: str, request: Request, who: Caller) -> dict:
        """How far the erasure is: which services confirmed it, which not yet."""
        require_self_or(request, who, employee_id, Role.HR, Role.ADMIN)
        return await _status(employee_id)

    async def _status(employee_id: str) -> dict:
        found = await erasure_status(infra, employee_id)
        if found is None:
            raise HTTPException(404, f"no employee {employee_id} and no erasure of them")
        return found

    return api


def _agreement(privacy: Privacy) -> APIRouter:
    api = APIRouter()

    @api.get("/v1/works-agreement")
    async def get_agreement(who: Caller) -> dict:
        """The works agreement in force: version (0: the defaults), terms, since when."""
        return await privacy.agreement.current()

    @api.put("/v1/works-agreement")
    async def put_agreement(terms: WorksAgreementTerms, who: Admin) -> dict:
        """A new version of the terms; logged, and published to every service."""
        return await privacy.agreement.change(terms, who, privacy.clock())

    @api.get("/v1/works-agreement/changes")
    async def get_changes(who: ChangeReaders) -> list[dict]:
        """Every change: who, when, the terms before and after, which fields changed."""
        return await privacy.agreement.changes()

    return api


def _access_log(privacy: Privacy) -> APIRouter:
    api = APIRouter()
    log = AccessLog(privacy.infra)

    @api.get("/v1/me/access-log")
    async def my_access_log(who: Caller) -> list[dict]:
        """Who read the caller's personal data, newest first."""
        return await log.about(who.subject)

    @api.get("/v1/access-log/stats")
    async def access_stats(who: Council, since: datetime | None = None) -> dict:
        """Distinct employees read about, per reader role and kind of data; cells of
        fewer than k employees suppressed (null)."""
        k = (await privacy.agreement.terms()).k
        return {"since": since, "k": k, "cells": await log.stats(since, k)}

    @api.post("/v1/retention/run")
    async def run_retention(who: Admin) -> dict:
        """Delete what expired now, without waiting for the next round."""
        return {"deleted": await enforce_retention(privacy.infra, privacy.clock)}

    return api
