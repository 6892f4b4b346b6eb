"""HTTP API of the organisation: HR import, structure, employees, contact lookup."""

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, UploadFile
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from gegenstrom_contracts.privacy import AccessedData
from gegenstrom_runtime.access import Caller, require, require_self_or, require_site
from gegenstrom_runtime.auth import Principal, Role
from gegenstrom_runtime.lookups import find_in
from gegenstrom_runtime.service import Infrastructure
from intake.org.events import structure_event
from intake.org.handlers import OrgImportReport, import_org
from intake.org.repository import OrgRepository
from intake.privacy.context import Privacy

HrOrAdmin = Annotated[Principal, Depends(require(Role.HR, Role.ADMIN))]
ServiceOnly = Annotated[Principal, Depends(require(Role.SERVICE))]
MAX_LANGUAGES = 1000


class LanguagesRequest(BaseModel):
    employee_ids: list[str] = Field(max_length=MAX_LANGUAGES)


PERSONAL = ("first_name", "last_name", "email", "language", "personnel_number")


def router(infra: Infrastructure, privacy: Privacy) -> APIRouter:
    api = APIRouter(tags=["organisation"])
    repo = OrgRepository(infra.db)

    @api.post("/v1/org/import", response_model=OrgImportReport)
    async def post_import(
        who: HrOrAdmin,
        dry_run: bool = False,
        sites: UploadFile | None = None,
        departments: UploadFile | None = None,
        processes: UploadFile | None = None,
        roles: UploadFile | None = None,
        employees: UploadFile | None = None,
    ) -> JSONResponse:
        """Import HR CSV exports; 422 with every problem when any file is wrong."""
        uploads = {
            "sites": sites,
            "departments": departments,
            "processes": processes,
            "roles": roles,
            "employees": employees,
        }
        files = {k: (f.filename or k, await f.read()) for k, f in uploads.items() if f}
        if not files:
            raise HTTPException(
                422,
                "no file given: send sites, departments, processes, "
                "roles and/or employees as multipart form fields",
            )
        report = await import_org(infra, files, dry_run)
        return JSONResponse(report.model_dump(), status_code=422 if report.problems else 200)

    @api.get("/v1/org/structure")
    async def get_structure(who: Caller) -> dict:
        """Sites, departments, processes (with neighbours) and roles."""
        return structure_event(await repo.load_structure(), version=1).model_dump(
            exclude={"structure_version"}
        )

    @api.get("/v1/org/employees")
    async def list_employees(
        who: HrOrAdmin, personnel_number: str | None = None, limit: int = 1000, skip: int = 0
    ) -> list[dict]:
        """HR's list of employees (of the token's sites), with their pseudonymous ids."""
        query: dict = {"personnel_number": personnel_number} if personnel_number else {}
        if who.sites:
            query["site_id"] = {"$in": sorted(who.sites)}
        cursor = repo.employees.find(query, {"updated_at": 0}).sort("personnel_number")
        docs = await cursor.skip(skip).limit(min(limit, 5000)).to_list()
        await privacy.accessed(who, [d["_id"] for d in docs], AccessedData.EMPLOYEE_LIST)
        return [{"employee_id": d.pop("_id"), **d} for d in docs]

    @api.get("/v1/org/employees/{employee_id}")
    async def get_employee(employee_id: str, request: Request, who: Caller) -> dict:
        """The employee's own record; HR and admins see those of their sites."""
        require_self_or(request, who, employee_id, Role.HR, Role.ADMIN)
        doc = await _employee(repo, employee_id)
        if who.subject != employee_id:  # one's own record, wherever one's token points
            require_site(request, who, doc["site_id"])
        await privacy.accessed(who, [employee_id], AccessedData.ORG_RECORD)
        return {"employee_id": doc.pop("_id"), **doc}

    @api.get("/internal/v1/contacts/{employee_id}")
    async def get_contact(employee_id: str, who: ServiceOnly) -> dict:
        """For notification at sending time: where and in which language to reach someone."""
        doc = await _employee(repo, employee_id)
        if doc["status"] != "active":
            raise HTTPException(404, f"employee {employee_id} has left")
        return {
            "employee_id": employee_id,
            "email": doc["email"],
            "language": doc["language"],
            "display_name": f"{doc['first_name']} {doc['last_name']}",
        }

    @api.post("/internal/v1/languages")
    async def post_languages(ask: LanguagesRequest, who: ServiceOnly) -> dict[str, str]:
        """For notification's messages of a batch: the languages of many employees in one
        call; those unknown or gone are left out."""
        found = await find_in(repo.employees, "_id", ask.employee_ids, query={"status": "active"},
                              projection={"language": 1})  # fmt: skip
        return {doc["_id"]: doc["language"] for doc in found}

    @api.get("/internal/v1/managers")
    async def get_managers(site_id: str, who: ServiceOnly) -> list[str]:
        """For notification's per-site digests: who manages someone at the site."""
        query = {"site_id": site_id, "status": "active"}
        numbers = await repo.employees.distinct("manager_personnel_number", query)
        managers = {"personnel_number": {"$in": [n for n in numbers if n]}, "status": "active"}
        return sorted([doc["_id"] async for doc in repo.employees.find(managers, {"_id": 1})])

    return api


async def _employee(repo: OrgRepository, employee_id: str) -> dict:
    doc = await repo.employees.find_one({"_id": employee_id}, {"updated_at": 0})
    if doc is None:
        raise HTTPException(404, f"no employee {employee_id}")
    return doc
