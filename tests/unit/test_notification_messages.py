"""Who is told what, in which language: the pure part of notification."""

from datetime import UTC, datetime

import pytest

from gegenstrom_contracts.rollouts import IdeaKind, IdeaStatus, IdeaStatusChanged
from gegenstrom_contracts.training_match import (
    ItemKind,
    ItemStatus,
    LearningPlanItem,
    LearningPlanUpdated,
    PlanTotals,
)
from notification.domain import HR_INBOX, approval_messages, digest_message
from notification.handlers import audience

pytestmark = pytest.mark.unit


def plan(*statuses: ItemStatus) -> LearningPlanUpdated:
    items = [
        LearningPlanItem(
            item_id=f"c{n}@3",
            competence_id=f"c{n}",
            target_level=3,
            kind=ItemKind.EXTERNAL_COURSE,
            status=status,
            hours=16,
            cost_eur=890,
            reason="external",
            offer_id="excel-seminar",
            offer_title="Excel (2 Tage)",
        )
        for n, status in enumerate(statuses)
    ]
    totals = PlanTotals(hours=16, cost_eur=890, external_cost_avoided_eur=0, in_house_share=0)
    return LearningPlanUpdated(
        employee_id="emp-1",
        rollout_id="r",
        plan_version=2,
        profile_version=1,
        items=items,
        totals=totals,
    )


def test_hr_hears_of_each_course_waiting_and_only_of_those():
    messages = approval_messages(plan(ItemStatus.AWAITING_APPROVAL, ItemStatus.ACCEPTED), "en")
    [message] = messages
    assert message.recipient_id == HR_INBOX
    assert message.title == "An external course awaits approval"
    assert message.body == "Excel (2 Tage) for 890 EUR (c0 up to level 3)."
    again = approval_messages(plan(ItemStatus.AWAITING_APPROVAL), "de")[0]
    assert again.id == message.id  # the same course waiting in a later version: told once


def test_a_plan_tells_the_employee_and_hr_a_new_idea_nobody():
    recipients = [who for who, _ in audience(plan(ItemStatus.AWAITING_APPROVAL))]
    assert recipients == ["emp-1", HR_INBOX]
    idea = IdeaStatusChanged(
        idea_id="i",
        rollout_id="r",
        process_id=None,
        kind=IdeaKind.PROCESS,
        author_id="emp-2",
        status=IdeaStatus.NEW,
        status_version=1,
    )
    assert audience(idea) == []
    answered = idea.model_copy(update={"status": IdeaStatus.ADOPTED, "status_version": 2})
    [(author, build)] = audience(answered)
    assert author == "emp-2" and "adopted" in build("en")[0].body


def test_a_digest_under_k_shows_no_figures():
    start = datetime(2026, 3, 16, tzinfo=UTC)
    figures = {"employees": 7, "share": 0.8, "avoided": 3990.0}
    shown = digest_message("emp-m", "siegen", 12, start, figures, 5, "de")
    assert shown.body == (
        "Seit 2026-03-16: 7 neue oder geänderte Lernpläne, Inhouse-Anteil 80%, "
        "vermiedene externe Kosten 3990 EUR."
    )
    hidden = digest_message("emp-m", "siegen", 12, start, None, 5, "en")
    assert "fewer than 5" in hidden.body and "EUR" not in hidden.body
    assert shown.id == hidden.id == "emp-m:digest:siegen:12"
