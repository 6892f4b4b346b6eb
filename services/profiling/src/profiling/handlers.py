"""Use cases of profiling."""

from gegenstrom_contracts.envelope import Envelope
from gegenstrom_contracts.intake import EmployeeInputSubmitted
from gegenstrom_contracts.profiling import CompetenceProfileUpdated
from gegenstrom_runtime.service import Infrastructure
from gegenstrom_runtime.unit_of_work import Transaction
from gegenstrom_runtime.versioned import VersionedStore
from profiling.domain import profile_of

SOURCE = "/gegenstrom/profiling"


def profiles(infra: Infrastructure) -> VersionedStore:
    return VersionedStore(infra.db["profiles"])


async def on_employee_input(infra: Infrastructure, envelope: Envelope) -> None:
    """Recompute the employee's profile; publish a new version only when it changed."""
    event: EmployeeInputSubmitted = envelope.data  # type: ignore[assignment]
    store = profiles(infra)
    key = f"{event.rollout_id}:{event.employee_id}"

    async def work(tx: Transaction) -> None:
        profile = profile_of(event)
        version = await store.save(
            key, profile.model_dump(mode="json"), tx.session, source_version=event.input_version
        )
        if version is not None:
            updated = CompetenceProfileUpdated(
                employee_id=event.employee_id,
                rollout_id=event.rollout_id,
                profile_version=version,
                input_version=event.input_version,
                site_id=event.site_id,
                gaps=profile.gaps,
                strengths=profile.strengths,
            )
            tx.publish(envelope.caused(updated, SOURCE))

    await infra.uow.commit(work, event_id=envelope.id)
