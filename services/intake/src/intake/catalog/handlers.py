"""Use cases of the competence catalog: ESCO import and the company's own competences."""

from pydantic import BaseModel

from gegenstrom_runtime.service import Infrastructure
from gegenstrom_runtime.unit_of_work import Transaction
from intake.catalog.esco import import_esco
from intake.catalog.model import Competence
from intake.catalog.repository import CatalogRepository


class CatalogChanges(BaseModel):
    new: int
    changed: int
    unchanged: int


class EscoImportReport(BaseModel):
    dry_run: bool
    applied: bool
    problems: list[dict]
    files: dict[str, dict[str, int]]
    changes: CatalogChanges
    occupations: int
    unresolved_references: int  # distinct broader URIs outside the imported files
    unresolved_links: int


class UnknownParents(ValueError):
    """A company competence names parents the catalog does not have."""


async def import_esco_files(
    infra: Infrastructure, files: dict[str, bytes], dry_run: bool
) -> EscoImportReport:
    """Import ESCO exports; with any problem, or as a dry run, nothing is written."""
    imported = import_esco(files)
    report = imported.report
    repo = CatalogRepository(infra.db)

    async def work(tx: Transaction) -> EscoImportReport:
        write = not (dry_run or report.problems)
        upserted = await repo.upsert(imported.competences, tx.session, write)
        if write:
            occupations = [o.model_dump(mode="json") for o in imported.occupations]
            await repo.upsert_occupations(occupations, tx.session)
        return EscoImportReport(
            dry_run=dry_run,
            applied=write,
            problems=[vars(p) for p in report.problems],
            files={name: vars(counts) for name, counts in report.files.items()},
            changes=CatalogChanges(**vars(upserted)),
            occupations=report.total_occupations,
            unresolved_references=report.distinct_unresolved_uris,
            unresolved_links=report.unresolved_links,
        )

    return await infra.uow.commit(work)


async def save_company_competence(infra: Infrastructure, competence: Competence) -> bool:
    """Add or change one of the company's own competences; True when it was new."""
    repo = CatalogRepository(infra.db)

    async def work(tx: Transaction) -> bool:
        parents = set(competence.parent_ids)
        missing = parents - await repo.existing_ids(parents, tx.session)
        if missing:
            raise UnknownParents(f"unknown parent competence(s): {', '.join(sorted(missing))}")
        return (await repo.upsert([competence], tx.session, write=True)).new == 1

    return await infra.uow.commit(work)
