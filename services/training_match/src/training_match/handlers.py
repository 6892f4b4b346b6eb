"""Consumers of training-match: a new profile version is planned at once (incremental)."""

from gegenstrom_contracts.envelope import Envelope
from gegenstrom_contracts.profiling import CompetenceProfileUpdated
from gegenstrom_runtime.service import Infrastructure
from gegenstrom_runtime.unit_of_work import Transaction
from training_match.offers.model import mentor_docs
from training_match.plans.planning import Emitter, Planner


async def on_profile(infra: Infrastructure, mentoring_hours: float, envelope: Envelope) -> None:
    """Keep the learner and their mentoring offers, then plan their gaps.

    A new mentor serves the learners planned from now on; the plans made before change
    with the next rollout-wide run (HR's kick-off or re-balancing), not behind their back.
    """
    profile: CompetenceProfileUpdated = envelope.data  # type: ignore[assignment]
    planner = Planner(infra)

    async def work(tx: Transaction) -> None:
        known = await planner.plans.learner(profile.rollout_id, profile.employee_id, tx.session)
        if known and known["profile_version"] >= profile.profile_version:
            return  # a late record: a newer profile was planned already
        await planner.plans.save_learner(profile, tx.session)
        mentors = mentor_docs(profile, mentoring_hours)
        await planner.offers.sync_mentor(profile.employee_id, mentors, tx.session)
        await planner.plan_learner(Emitter(tx, envelope), profile.rollout_id, profile.employee_id)

    await infra.uow.commit(work, event_id=envelope.id)
