"""What a person is told. Pure: no I/O."""

from pydantic import BaseModel

from gegenstrom_contracts.training_match import LearningPlanUpdated


class InboxMessage(BaseModel):
    id: str
    recipient_id: str
    rollout_id: str
    about_event_type: str
    plan_version: int | None
    title: str
    body: str


def plan_message(plan: LearningPlanUpdated) -> InboxMessage:
    """One message per recipient and plan version: its id is that natural key."""
    steps = len(plan.items)
    first = plan.plan_version == 1
    return InboxMessage(
        id=f"{plan.employee_id}:{plan.rollout_id}:plan:{plan.plan_version}",
        recipient_id=plan.employee_id,
        rollout_id=plan.rollout_id,
        about_event_type=plan.event_type,
        plan_version=plan.plan_version,
        title="Dein Lernplan ist da" if first else "Dein Lernplan wurde aktualisiert",
        body=f"Version {plan.plan_version} deines Lernplans enthält {steps} Lernschritt(e).",
    )
