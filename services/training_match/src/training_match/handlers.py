"""Use cases of training-match."""

from gegenstrom_contracts.envelope import Envelope
from gegenstrom_contracts.profiling import CompetenceProfileUpdated
from gegenstrom_contracts.training_match import LearningPlanUpdated
from gegenstrom_runtime.service import Infrastructure
from gegenstrom_runtime.unit_of_work import Transaction
from gegenstrom_runtime.versioned import VersionedStore
from training_match.domain import plan_items, totals

SOURCE = "/gegenstrom/training-match"


def plans(infra: Infrastructure) -> VersionedStore:
    return VersionedStore(infra.db["learning_plans"])


async def on_profile(infra: Infrastructure, envelope: Envelope) -> None:
    """Plan the employee's gaps; publish a new plan version only when the plan changed."""
    profile: CompetenceProfileUpdated = envelope.data  # type: ignore[assignment]
    store = plans(infra)
    key = f"{profile.rollout_id}:{profile.employee_id}"

    async def work(tx: Transaction) -> None:
        items = plan_items(profile)
        content = {"items": [i.model_dump(mode="json") for i in items]}
        version = await store.save(key, content, tx.session, source_version=profile.profile_version)
        if version is not None:
            plan = LearningPlanUpdated(
                employee_id=profile.employee_id,
                rollout_id=profile.rollout_id,
                plan_version=version,
                profile_version=profile.profile_version,
                items=items,
                totals=totals(items),
            )
            tx.publish(envelope.caused(plan, SOURCE))

    await infra.uow.commit(work, event_id=envelope.id)
