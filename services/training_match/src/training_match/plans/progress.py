"""The life of a plan: mentors, HR, learners and trainers move items on, each step an event."""

from datetime import UTC, datetime

from gegenstrom_contracts.profiling import CompetenceEvidenceRecorded, EvidenceSource
from gegenstrom_contracts.training_match import ItemKind, LearningItemStatusChanged
from gegenstrom_runtime.auth import Principal
from gegenstrom_runtime.service import Infrastructure
from gegenstrom_runtime.unit_of_work import Transaction
from training_match.plans.lifecycle import Action, Decision, Refused, decide
from training_match.plans.planning import Emitter, Planner


async def act(
    infra: Infrastructure,
    rollout_id: str,
    employee_id: str,
    item_id: str,
    action: Action,
    who: Principal,
) -> dict:
    """Apply ``action`` to one item of the plan and return the plan as it is afterwards."""
    planner = Planner(infra)

    async def work(tx: Transaction) -> None:
        plan = await planner.plans.plan(rollout_id, employee_id, tx.session)
        items = plan["content"]["items"] if plan else []
        item = next((i for i in items if i["item_id"] == item_id), None)
        if item is None:
            raise Refused(f"plan of {employee_id} in {rollout_id} has no item {item_id}", 404)
        decision = decide(item, employee_id, action, who)
        emitter = Emitter(tx)
        emitter.emit(_status_event(rollout_id, employee_id, item, decision, who), "")
        if decision.evidence:
            emitter.emit(_evidence(rollout_id, employee_id, item, decision.evidence, who), "")
        if decision.replan:
            exclude = frozenset({item["offer_id"]})
            await planner.plan_learner(emitter, rollout_id, employee_id, exclude=exclude)
        else:
            await planner.set_status(emitter, rollout_id, employee_id, item_id, decision.status)

    await infra.uow.commit(work)
    plan = await planner.plans.plan(rollout_id, employee_id)
    assert plan is not None
    return plan


def _status_event(
    rollout_id: str, employee_id: str, item: dict, decision: Decision, who: Principal
) -> LearningItemStatusChanged:
    return LearningItemStatusChanged(
        employee_id=employee_id,
        rollout_id=rollout_id,
        item_id=item["item_id"],
        competence_id=item["competence_id"],
        kind=ItemKind(item["kind"]),
        status=decision.status,
        changed_by=who.subject,
    )


def _evidence(
    rollout_id: str, employee_id: str, item: dict, source: EvidenceSource, who: Principal
) -> CompetenceEvidenceRecorded:
    confirmed = source is not EvidenceSource.LEARNING_COMPLETED
    return CompetenceEvidenceRecorded(
        evidence_id=f"{rollout_id}:{employee_id}:{item['item_id']}:{source.value}",
        employee_id=employee_id,
        competence_id=item["competence_id"],
        level=item["target_level"],
        source=source,
        observed_at=datetime.now(UTC),
        rollout_id=rollout_id,
        confirmed_by=who.subject if confirmed else None,
    )
