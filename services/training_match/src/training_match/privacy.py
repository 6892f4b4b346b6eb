"""Privacy use cases of training-match: erasure on request, the works agreement in force,
and the rollouts' end dates (for retention)."""

from pymongo.asynchronous.database import AsyncDatabase

from gegenstrom_contracts.envelope import Envelope
from gegenstrom_contracts.privacy import WorksAgreementTerms
from gegenstrom_contracts.rollouts import RolloutPublished
from gegenstrom_runtime.erasure_guard import ErasureGuard
from gegenstrom_runtime.privacy import Clock, WorksAgreement, erase_and_confirm
from gegenstrom_runtime.service import Infrastructure
from gegenstrom_runtime.unit_of_work import Transaction
from training_match.plans.erasure import erase_employee


def erasure_guard(infra: Infrastructure) -> ErasureGuard:
    """Use cases that may write an employee's first documents are admitted by it."""
    return ErasureGuard(infra.db, infra.settings.auth_secret.get_secret_value())


def works_agreement(db: AsyncDatabase, k_default: int) -> WorksAgreement:
    """The agreement in force; until one is published, the settings' k and the defaults."""
    return WorksAgreement(db, WorksAgreementTerms(k=k_default))


async def on_erased(infra: Infrastructure, clock: Clock, envelope: Envelope) -> None:
    async def erase(tx: Transaction, employee_id: str) -> None:
        await erasure_guard(infra).close(tx.session, employee_id)
        await erase_employee(infra, tx, envelope, employee_id)

    await erase_and_confirm(
        infra.uow, infra.erased, envelope, infra.settings.service_name, erase, clock
    )


async def on_rollout(infra: Infrastructure, envelope: Envelope) -> None:
    """Keep when each rollout closed (None: still open); a newer version wins."""
    event: RolloutPublished = envelope.data  # type: ignore[assignment]
    closed_on = event.closed_on()
    doc = {
        "version": event.rollout_version,
        "closed_on": closed_on.isoformat() if closed_on else None,
    }

    async def work(tx: Transaction) -> None:
        rollouts = infra.db["rollouts"]
        stored = await rollouts.find_one({"_id": event.rollout_id}, session=tx.session)
        if stored and stored["version"] >= event.rollout_version:
            return
        await rollouts.replace_one({"_id": event.rollout_id}, doc, upsert=True, session=tx.session)

    await infra.uow.commit(work, event_id=envelope.id)
