"""HTTP API of the competence catalog."""

import re
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Response, UploadFile
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from gegenstrom_runtime.access import Caller, require
from gegenstrom_runtime.auth import Principal, Role
from gegenstrom_runtime.service import Infrastructure
from intake.catalog.handlers import (
    EscoImportReport,
    UnknownParents,
    import_esco_files,
    save_company_competence,
)
from intake.catalog.model import PROFICIENCY_SCALE, Category, Competence
from intake.catalog.repository import CatalogRepository

HrOrAdmin = Annotated[Principal, Depends(require(Role.HR, Role.ADMIN))]
COMPANY_ID = r"^[a-z0-9][a-z0-9_.-]{0,63}$"  # "esco:" ids belong to ESCO


class CompanyCompetence(BaseModel):
    """A competence the company defines itself, with German and English texts."""

    model_config = ConfigDict(extra="forbid")
    labels: dict[str, str] = Field(examples=[{"de": "SAP CO-PA Reporting", "en": "SAP CO-PA"}])
    descriptions: dict[str, str] = Field(default_factory=dict)
    alt_labels: dict[str, list[str]] = Field(default_factory=dict)
    category: Category
    parent_ids: list[str] = Field(default_factory=list, max_length=20)
    esco_uri: str | None = None


def router(infra: Infrastructure) -> APIRouter:
    api = APIRouter(prefix="/v1/catalog", tags=["competence catalog"])
    repo = CatalogRepository(infra.db)

    @api.post("/esco-import", response_model=EscoImportReport)
    async def post_esco_import(
        files: list[UploadFile], who: HrOrAdmin, dry_run: bool = False
    ) -> JSONResponse:
        """Import ESCO CSV files as the EU publishes them; 422 with every problem found."""
        contents = {f.filename or f"file-{i}": await f.read() for i, f in enumerate(files)}
        report = await import_esco_files(infra, contents, dry_run)
        return JSONResponse(report.model_dump(), status_code=422 if report.problems else 200)

    @api.put("/competences/{competence_id}", status_code=201)
    async def put_competence(
        competence_id: Annotated[str, Path(pattern=COMPANY_ID)],
        body: CompanyCompetence,
        response: Response,
        who: HrOrAdmin,
    ) -> Competence:
        """Create or change one of the company's own competences."""
        competence = _company(competence_id, body)
        try:
            if not await save_company_competence(infra, competence):
                response.status_code = 200
        except UnknownParents as error:
            raise HTTPException(422, str(error)) from error
        return competence

    @api.get("/competences")
    async def list_competences(
        who: Caller,
        category: Category | None = None,
        source: str | None = Query(None, pattern="^(company|esco)$"),
        q: str | None = Query(None, max_length=100, description="Part of a label"),
        limit: int = Query(50, ge=1, le=500),
        skip: int = Query(0, ge=0),
    ) -> list[Competence]:
        query: dict[str, object] = {
            k: v for k, v in {"category": category, "source": source}.items() if v
        }
        if q:
            query["labels.de"] = {"$regex": re.escape(q), "$options": "i"}
        return await repo.find(query, skip, limit)

    @api.get("/competences/{competence_id}")
    async def get_competence(competence_id: str, who: Caller) -> Competence:
        competence = await repo.get(competence_id)
        if competence is None:
            raise HTTPException(404, f"no competence {competence_id}")
        return competence

    @api.get("/scale")
    async def get_scale(who: Caller) -> dict[int, dict[str, str]]:
        """The proficiency scale 0-4, each level described in German and English."""
        return PROFICIENCY_SCALE

    return api


def _company(competence_id: str, body: CompanyCompetence) -> Competence:
    try:
        return Competence(competence_id=competence_id, source="company", **body.model_dump())
    except ValueError as error:
        raise HTTPException(422, str(error)) from error
