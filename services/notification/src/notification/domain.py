"""What a person is told, in their language. Pure: no I/O."""

from pydantic import BaseModel

from gegenstrom_contracts.training_match import LearningPlanUpdated

TEMPLATES = {
    "de": {
        "plan_new": "Dein Lernplan ist da",
        "plan_changed": "Dein Lernplan wurde aktualisiert",
        "plan_body": "Version {version} deines Lernplans enthält {steps} Lernschritt(e).",
    },
    "en": {
        "plan_new": "Your learning plan is ready",
        "plan_changed": "Your learning plan was updated",
        "plan_body": "Version {version} of your learning plan has {steps} learning step(s).",
    },
}
DEFAULT_LANGUAGE = "de"


class InboxMessage(BaseModel):
    id: str
    recipient_id: str
    rollout_id: str
    about_event_type: str
    plan_version: int | None
    language: str
    title: str
    body: str


def plan_message(plan: LearningPlanUpdated, language: str) -> InboxMessage:
    """One message per recipient and plan version: its id is that natural key."""
    language = language if language in TEMPLATES else DEFAULT_LANGUAGE
    text = TEMPLATES[language]
    return InboxMessage(
        id=f"{plan.employee_id}:{plan.rollout_id}:plan:{plan.plan_version}",
        recipient_id=plan.employee_id,
        rollout_id=plan.rollout_id,
        about_event_type=plan.event_type,
        plan_version=plan.plan_version,
        language=language,
        title=text["plan_new"] if plan.plan_version == 1 else text["plan_changed"],
        body=text["plan_body"].format(version=plan.plan_version, steps=len(plan.items)),
    )
