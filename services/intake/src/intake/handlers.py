"""Use cases of intake."""

from pydantic import BaseModel

from gegenstrom_contracts.envelope import Envelope
from gegenstrom_runtime.service import Infrastructure
from gegenstrom_runtime.unit_of_work import Transaction
from gegenstrom_runtime.versioned import VersionedStore
from intake.domain import EmployeeInputForm, to_event

SOURCE = "/gegenstrom/intake"


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
        version = await inputs.save(form.key(), form.stored(), tx.session)
        if version is None:
            unchanged = await inputs.get(form.key(), tx.session)
            assert unchanged is not None  # save() only skips an existing document
            return Submitted(input_version=unchanged["version"], changed=False)
        envelope = Envelope(to_event(form, version), SOURCE)
        tx.publish(envelope)
        return Submitted(input_version=version, changed=True, event_id=envelope.id)

    return await infra.uow.commit(work)
