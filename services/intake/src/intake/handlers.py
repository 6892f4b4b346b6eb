"""Use cases of intake."""

import logging

from pydantic import BaseModel

from gegenstrom_contracts.envelope import Envelope
from gegenstrom_runtime.logs import correlated
from gegenstrom_runtime.service import Infrastructure
from gegenstrom_runtime.unit_of_work import Transaction
from gegenstrom_runtime.versioned import VersionedStore
from intake.domain import EmployeeInputForm, input_problems, to_event
from intake.errors import Rejected
from intake.rollouts.handlers import known_competences, rollout_of

SOURCE = "/gegenstrom/intake"
log = logging.getLogger(__name__)


class Submitted(BaseModel):
    input_version: int
    changed: bool
    event_id: str | None = None


def employee_inputs(infra: Infrastructure) -> VersionedStore:
    return VersionedStore(infra.db["employee_inputs"])


async def submit_input(infra: Infrastructure, form: EmployeeInputForm) -> Submitted:
    """Store the input as a new version and publish it; an unchanged re-submission is a no-op."""
    inputs = employee_inputs(infra)

    async def work(tx: Transaction) -> Submitted:
        await _check_references(infra, form, tx)
        version = await inputs.save(form.key(), form.stored(), tx.session)
        if version is None:
            unchanged = await inputs.get(form.key(), tx.session)
            assert unchanged is not None  # save() only skips an existing document
            return Submitted(input_version=unchanged["version"], changed=False)
        envelope = Envelope(to_event(form, version), SOURCE)
        tx.publish(envelope)
        return Submitted(input_version=version, changed=True, event_id=envelope.id)

    submitted = await infra.uow.commit(work)
    if submitted.event_id:
        with correlated(submitted.event_id, submitted.event_id):
            log.info("accepted input version %s for %s", submitted.input_version, form.rollout_id)
    return submitted


async def _check_references(
    infra: Infrastructure, form: EmployeeInputForm, tx: Transaction
) -> None:
    await rollout_of(infra, form.rollout_id, tx.session)
    employee = await infra.db["employees"].find_one(
        {"_id": form.employee_id, "status": "active"}, {"_id": 1}, session=tx.session
    )
    known = {
        kind: await _existing(infra, kind, ids, tx) for kind, ids in form.org_references().items()
    }
    problems = input_problems(form, employee, known)
    if problems:
        raise Rejected(problems)
    await known_competences(infra, form.competence_ids(), tx)


async def _existing(infra: Infrastructure, kind: str, ids: set[str], tx: Transaction) -> set[str]:
    cursor = infra.db[kind].find({"_id": {"$in": sorted(ids)}}, {"_id": 1}, session=tx.session)
    return {doc["_id"] async for doc in cursor}
