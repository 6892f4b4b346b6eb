"""Use cases of the organisation: the HR import."""

from pydantic import BaseModel

from gegenstrom_contracts.envelope import Envelope
from gegenstrom_runtime.csv_files import Problem
from gegenstrom_runtime.service import Infrastructure
from gegenstrom_runtime.unit_of_work import Transaction
from intake.org.events import assignment_event, structure_event
from intake.org.importer import EmployeeDiff, OrgDiff, diff_org, parse_org
from intake.org.repository import OrgRepository

SOURCE = "/gegenstrom/intake/org"


class KindChanges(BaseModel):
    new: list[str]
    changed: list[str]
    removed: list[str]
    unchanged: int


class OrgImportReport(BaseModel):
    dry_run: bool
    applied: bool
    problems: list[dict]
    changes: dict[str, KindChanges]


async def import_org(
    infra: Infrastructure, files: dict[str, tuple[str, bytes]], dry_run: bool
) -> OrgImportReport:
    """Check every file, then write only the differences, all in one transaction or none."""
    repo = OrgRepository(infra.db)

    async def work(tx: Transaction) -> OrgImportReport:
        current = await repo.load(tx.session)
        parsed = parse_org(files, current)
        diff = diff_org(current, parsed.desired)
        apply = not (dry_run or parsed.problems or diff.is_empty())
        if apply:
            await _apply(infra, repo, current, parsed.desired, tx)
        return OrgImportReport(
            dry_run=dry_run,
            applied=apply,
            problems=[_problem(p) for p in parsed.problems],
            changes=_changes(diff),
        )

    return await infra.uow.commit(work)


async def _apply(infra, repo: OrgRepository, current, desired, tx: Transaction) -> None:
    if await repo.save_structure(current, desired, tx.session):
        version = await _next_structure_version(infra, tx)
        tx.publish(Envelope(structure_event(desired, version), SOURCE))
    changes = await repo.save_employees(current, desired, tx.session)
    managers = {c.employee.manager_personnel_number for c in changes} - {None}
    manager_ids = await repo.ids_of(managers, tx.session)  # type: ignore[arg-type]
    for change in changes:
        manager = manager_ids.get(change.employee.manager_personnel_number or "")
        tx.publish(Envelope(assignment_event(change, manager), SOURCE))


async def _next_structure_version(infra: Infrastructure, tx: Transaction) -> int:
    doc = await infra.db["meta"].find_one_and_update(
        {"_id": "structure"},
        {"$inc": {"version": 1}},
        upsert=True,
        return_document=True,
        session=tx.session,
    )
    assert doc is not None  # upserted
    return int(doc["version"])


def _problem(p: Problem) -> dict:
    return {"file": p.file, "line": p.line, "column": p.column, "reason": p.reason}


def _changes(diff: OrgDiff) -> dict[str, KindChanges]:
    """Per kind; for employees, "removed" are those who left the company."""
    return {
        kind: KindChanges(
            new=c.new,
            changed=c.changed,
            removed=c.left if isinstance(c, EmployeeDiff) else c.removed,
            unchanged=c.unchanged,
        )
        for kind, c in diff.by_kind().items()
    }
