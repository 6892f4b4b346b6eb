"""Many employees' inputs in one request: all checked, then all stored in one transaction.

For HR and systems that hand in inputs collected elsewhere (a paper survey typed in, a
migration from another tool) and for load tests: ``admin``, ``hr`` and ``service`` may
use it, limited to the sites of their token. An employee submits only their own input,
one at a time, through ``POST /v1/employee-inputs``.
"""

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Body, Depends, Request
from pymongo import ReplaceOne

from gegenstrom_contracts.envelope import Envelope
from gegenstrom_runtime.access import require, require_site
from gegenstrom_runtime.auth import Principal, Role
from gegenstrom_runtime.lookups import find_in
from gegenstrom_runtime.service import Infrastructure
from gegenstrom_runtime.unit_of_work import Transaction
from intake.catalog.repository import CatalogRepository
from intake.domain import EmployeeInputForm, input_problems, to_event
from intake.errors import Rejected
from intake.handlers import SOURCE, Submitted
from intake.rollouts.handlers import rollout_of

MAX_ITEMS = 1000
Forms = Annotated[list[EmployeeInputForm], Body(min_length=1, max_length=MAX_ITEMS)]


def router(infra: Infrastructure) -> APIRouter:
    api = APIRouter(prefix="/v1", tags=["employee input"])
    submitter = require(Role.HR, Role.ADMIN, Role.SERVICE)

    @api.post("/employee-inputs/bulk")
    async def post_inputs(
        forms: Forms, request: Request, who: Annotated[Principal, Depends(submitter)]
    ) -> list[Submitted]:
        """Up to 1,000 inputs; any bad one is a 422 naming it by index, and nothing is stored."""
        for form in forms:
            require_site(request, who, form.site_id)
        return await submit_inputs(infra, forms)

    return api


async def submit_inputs(infra: Infrastructure, forms: list[EmployeeInputForm]) -> list[Submitted]:
    """Store every changed input as a new version and publish it, all or nothing."""

    async def work(tx: Transaction) -> list[Submitted]:
        problems = await _problems(infra, forms, tx)
        if problems:
            raise Rejected(problems)
        return await _save_all(infra, forms, tx)

    return await infra.uow.commit(work)


async def _problems(
    infra: Infrastructure, forms: list[EmployeeInputForm], tx: Transaction
) -> list[str]:
    """Every problem of every item, as "item N (employee): problem"."""
    for rollout_id in sorted({f.rollout_id for f in forms}):
        await rollout_of(infra, rollout_id, tx.session)
    employees = await _ids(infra.db["employees"], {f.employee_id for f in forms}, tx, active=True)
    refs: dict[str, set[str]] = {}
    for form in forms:
        for kind, ids in form.org_references().items():
            refs.setdefault(kind, set()).update(ids)
    known = {kind: await _ids(infra.db[kind], ids, tx) for kind, ids in refs.items()}
    competences = CatalogRepository(infra.db).competences
    catalog = await _ids(competences, {c for f in forms for c in f.competence_ids()}, tx)
    seen: set[str] = set()
    problems = []
    for index, form in enumerate(forms):
        employee = {"_id": form.employee_id} if form.employee_id in employees else None
        found = input_problems(form, employee, known)
        found += [f"unknown competence '{c}'" for c in form.competence_ids() if c not in catalog]
        if form.key() in seen:
            found.append("the same employee and rollout twice in one request")
        seen.add(form.key())
        problems += [f"item {index} ({form.employee_id}): {p}" for p in found]
    return problems


async def _ids(collection, ids: set[str], tx: Transaction, active: bool = False) -> set[str]:
    """Which of ``ids`` exist in the collection (with status active, if asked)."""
    query = {"status": "active"} if active else None
    found = await find_in(collection, "_id", ids, query=query, projection={"_id": 1},
                          session=tx.session)  # fmt: skip
    return {doc["_id"] for doc in found}


async def _save_all(
    infra: Infrastructure, forms: list[EmployeeInputForm], tx: Transaction
) -> list[Submitted]:
    """The versioned store's rules (see VersionedStore.save), with one read and two writes."""
    current_docs = infra.db["employee_inputs"]
    found = await find_in(current_docs, "_id", [f.key() for f in forms], session=tx.session)
    current = {doc["_id"]: doc for doc in found}
    now = datetime.now(UTC)
    replaces, history, results = [], [], []
    for form in forms:
        old, content = current.get(form.key()), form.stored()
        if old and old["content"] == content:
            results.append(Submitted(input_version=old["version"], changed=False))
            continue
        version = old["version"] + 1 if old else 1
        source = old.get("source_version") if old else None
        doc = {"version": version, "source_version": source, "content": content, "updated_at": now}
        replaces.append(ReplaceOne({"_id": form.key()}, doc, upsert=True))
        history.append({"_id": f"{form.key()}@{version}", "key": form.key(), **doc})
        envelope = Envelope(to_event(form, version), SOURCE)
        tx.publish(envelope)
        results.append(Submitted(input_version=version, changed=True, event_id=envelope.id))
    if replaces:
        await current_docs.bulk_write(replaces, ordered=False, session=tx.session)
        await infra.db["employee_inputs_versions"].insert_many(history, session=tx.session)
    return results
