"""Consumers of training-match: new profile versions are planned at once (incremental)."""

from gegenstrom_contracts.envelope import Envelope
from gegenstrom_contracts.profiling import CompetenceProfileUpdated
from gegenstrom_runtime.service import Infrastructure
from gegenstrom_runtime.unit_of_work import Transaction
from training_match.offers.model import mentor_docs
from training_match.plans.planning import Emitter, Planner
from training_match.plans.repository import plan_key


async def on_profiles(
    infra: Infrastructure, mentoring_hours: float, envelopes: list[Envelope]
) -> None:
    """Keep the learners and their mentoring offers, then plan their gaps, a batch at once.

    A new mentor serves the learners planned from now on; the plans made before change
    with the next rollout-wide run (HR's kick-off or re-balancing), not behind their back.
    """
    planner, guard = Planner(infra), infra.guard

    async def work(tx: Transaction, fresh: list[Envelope]) -> None:
        newest = _newest(fresh)
        admitted = await guard.admitted(tx.session, {p.employee_id for p, _ in newest.values()})
        planned = await planner.plans.profile_versions(list(newest), tx.session)
        todo = [
            (profile, envelope)
            for key, (profile, envelope) in newest.items()
            if profile.employee_id in admitted  # not erased while on its way
            and planned.get(key, 0) < profile.profile_version  # else a late record
        ]
        await planner.plans.save_learners([p for p, _ in todo], tx.session)
        mentors = {p.employee_id: mentor_docs(p, mentoring_hours) for p, _ in todo}
        await planner.offers.sync_mentors(mentors, tx.session)
        by_rollout: dict[str, dict[str, Emitter]] = {}
        for profile, envelope in todo:
            emitters = by_rollout.setdefault(profile.rollout_id, {})
            emitters[profile.employee_id] = Emitter(tx, envelope)
        for rollout_id, emitters in by_rollout.items():
            await planner.plan_learners(rollout_id, emitters)

    await infra.uow.commit_each(envelopes, work)


def _newest(
    envelopes: list[Envelope],
) -> dict[str, tuple[CompetenceProfileUpdated, Envelope]]:
    """The newest profile of each learner (plan key) among these events."""
    newest: dict[str, tuple[CompetenceProfileUpdated, Envelope]] = {}
    for envelope in envelopes:
        profile: CompetenceProfileUpdated = envelope.data  # type: ignore[assignment]
        key = plan_key(profile.rollout_id, profile.employee_id)
        if key not in newest or newest[key][0].profile_version < profile.profile_version:
            newest[key] = (profile, envelope)
    return newest
