"""Privacy use cases of training-match: erasure on request, the works agreement in force,
and the rollouts' end dates (for retention)."""

from gegenstrom_contracts.envelope import Envelope
from gegenstrom_contracts.rollouts import RolloutPublished
from gegenstrom_runtime.privacy import Clock, erase_and_confirm
from gegenstrom_runtime.service import Infrastructure
from gegenstrom_runtime.unit_of_work import Transaction
from training_match.plans.erasure import erase_employee


async def on_erased(infra: Infrastructure, clock: Clock, envelope: Envelope) -> None:
    async def erase(tx: Transaction, employee_id: str) -> None:
        await erase_employee(infra, tx, envelope, employee_id)

    await erase_and_confirm(infra, envelope, erase, clock)


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
