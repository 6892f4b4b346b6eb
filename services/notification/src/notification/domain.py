"""What a person is told, in their language. Pure: no I/O."""

from datetime import datetime

from pydantic import BaseModel

from gegenstrom_contracts.rollouts import IdeaStatusChanged
from gegenstrom_contracts.training_match import (
    CohortFormed,
    ItemStatus,
    LearningPlanUpdated,
    MentorRequested,
)

TEMPLATES = {
    "de": {
        "plan_new": "Dein Lernplan ist da",
        "plan_changed": "Dein Lernplan wurde aktualisiert",
        "plan_body": "Version {version} deines Lernplans enthält {steps} Lernschritt(e).",
        "mentor_title": "Eine Anfrage als Mentor/in",
        "mentor_body": "Jemand aus dem Kollegium bittet dich um Begleitung in {competence} "
        "bis Stufe {level}. Bitte nimm die Anfrage an oder lehne sie ab.",
        "cohort_title": "Deine Lerngruppe steht",
        "cohort_body": "{members} Teilnehmende für {offer} ({place}) - die Gruppe kann starten.",
        "idea_title": "Antwort auf deine Idee",
        "idea_body": "Deine Idee hat jetzt den Status: {status}.",
        "approval_title": "Eine externe Schulung wartet auf Freigabe",
        "approval_body": "{offer} für {cost:.0f} EUR ({competence} bis Stufe {level}).",
        "digest_title": "Wochenüberblick {site}: Lernpläne",
        "digest_body": "Seit {start}: {employees} neue oder geänderte Lernpläne, "
        "Inhouse-Anteil {share:.0%}, vermiedene externe Kosten {avoided:.0f} EUR.",
        "digest_hidden": "Seit {start}: weniger als {k} neue oder geänderte Lernpläne; "
        "Zahlen dazu werden zum Schutz der Einzelnen nicht gezeigt.",
    },
    "en": {
        "plan_new": "Your learning plan is ready",
        "plan_changed": "Your learning plan was updated",
        "plan_body": "Version {version} of your learning plan has {steps} learning step(s).",
        "mentor_title": "A request to mentor",
        "mentor_body": "A colleague asks you to guide them in {competence} up to level "
        "{level}. Please accept or decline the request.",
        "cohort_title": "Your learning group is ready",
        "cohort_body": "{members} participants for {offer} ({place}) - the group can start.",
        "idea_title": "An answer to your idea",
        "idea_body": "Your idea now has the status: {status}.",
        "approval_title": "An external course awaits approval",
        "approval_body": "{offer} for {cost:.0f} EUR ({competence} up to level {level}).",
        "digest_title": "Weekly overview {site}: learning plans",
        "digest_body": "Since {start}: {employees} new or changed learning plans, in-house "
        "share {share:.0%}, external cost avoided {avoided:.0f} EUR.",
        "digest_hidden": "Since {start}: fewer than {k} new or changed learning plans; no "
        "figures are shown, to protect individuals.",
    },
}
DEFAULT_LANGUAGE = "de"
HR_INBOX = "role-hr"  # the HR team's shared inbox, for HR and admin tokens


class InboxMessage(BaseModel):
    id: str
    recipient_id: str
    rollout_id: str | None
    about_event_type: str
    plan_version: int | None = None
    about_employee_id: str | None = None  # whom a message to a team (HR) concerns
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


def _texts(language: str) -> tuple[str, dict[str, str]]:
    language = language if language in TEMPLATES else DEFAULT_LANGUAGE
    return language, TEMPLATES[language]


def mentor_message(request: MentorRequested, language: str) -> InboxMessage:
    """To the mentor; the mentee stays unnamed until they meet in the plan's life."""
    language, text = _texts(language)
    return InboxMessage(
        id=f"{request.mentor_id}:mentor-request:{request.mentee_id}:{request.item_id}",
        recipient_id=request.mentor_id,
        rollout_id=request.rollout_id,
        about_event_type=request.event_type,
        language=language,
        title=text["mentor_title"],
        body=text["mentor_body"].format(
            competence=request.competence_id, level=request.target_level
        ),
    )


def cohort_message(cohort: CohortFormed, trainer_id: str, language: str) -> InboxMessage:
    language, text = _texts(language)
    return InboxMessage(
        id=f"{trainer_id}:cohort:{cohort.group_id}",
        recipient_id=trainer_id,
        rollout_id=None,
        about_event_type=cohort.event_type,
        language=language,
        title=text["cohort_title"],
        body=text["cohort_body"].format(
            members=len(cohort.member_ids),
            offer=cohort.offer_id,
            place=cohort.site_id or "remote",
        ),
    )


def idea_message(idea: IdeaStatusChanged, language: str) -> InboxMessage:
    language, text = _texts(language)
    return InboxMessage(
        id=f"{idea.author_id}:idea:{idea.idea_id}:{idea.status_version}",
        recipient_id=idea.author_id,
        rollout_id=idea.rollout_id,
        about_event_type=idea.event_type,
        language=language,
        title=text["idea_title"],
        body=text["idea_body"].format(status=idea.status.value.replace("_", " ")),
    )


def approval_messages(plan: LearningPlanUpdated, language: str) -> list[InboxMessage]:
    """To HR: one message per external course of the plan that waits for approval."""
    language, text = _texts(language)
    return [
        InboxMessage(
            id=f"{HR_INBOX}:approval:{plan.rollout_id}:{plan.employee_id}:{i.item_id}:{i.offer_id}",
            recipient_id=HR_INBOX,
            rollout_id=plan.rollout_id,
            about_event_type=plan.event_type,
            plan_version=plan.plan_version,
            about_employee_id=plan.employee_id,
            language=language,
            title=text["approval_title"],
            body=text["approval_body"].format(
                offer=i.offer_title or i.offer_id,
                cost=i.cost_eur,
                competence=i.competence_id,
                level=i.target_level,
            ),
        )
        for i in plan.items
        if i.status is ItemStatus.AWAITING_APPROVAL
    ]


def digest_message(
    manager_id: str,
    site_id: str,
    period: int,
    start: datetime,
    figures: dict | None,
    k: int,
    language: str,
) -> InboxMessage:
    """A manager's digest for one site and period: aggregates only, or none under k."""
    language, text = _texts(language)
    since = start.date().isoformat()
    if figures is None:
        body = text["digest_hidden"].format(start=since, k=k)
    else:
        body = text["digest_body"].format(
            start=since,
            employees=figures["employees"],
            share=figures["share"],
            avoided=figures["avoided"],
        )
    return InboxMessage(
        id=f"{manager_id}:digest:{site_id}:{period}",
        recipient_id=manager_id,
        rollout_id=None,
        about_event_type="digest",
        language=language,
        title=text["digest_title"].format(site=site_id),
        body=body,
    )
