"""E-mail over a real SMTP server the test starts: the address and language come from
intake at sending time, each recipient is told once per event, whatever Kafka redelivers."""

import asyncio
import time
from email import message_from_bytes
from email.message import Message

import httpx
import pytest
from aiosmtpd.controller import Controller

from gegenstrom_contracts.envelope import Envelope
from gegenstrom_contracts.rollouts import IdeaKind, IdeaStatus, IdeaStatusChanged
from gegenstrom_contracts.training_match import (
    LearningPlanUpdated,
    MentorRequested,
    PlanTotals,
)
from support.company import seed_company
from support.kafka_io import produce_envelopes
from support.servers import free_port
from support.tokens import bearer


class Mailbox:
    """An aiosmtpd handler that keeps every message it is given."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


@pytest.fixture
def smtp():
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, mailbox
    controller.stop()


async def received(mailbox: Mailbox, count: int, timeout_s: float = 30) -> list[Message]:
    deadline = time.monotonic() + timeout_s
    while len(mailbox.messages) < count:
        assert time.monotonic() < deadline, f"{len(mailbox.messages)} of {count} e-mails"
        await asyncio.sleep(0.1)
    return mailbox.messages


def plan(employee_id: str) -> Envelope:
    totals = PlanTotals(hours=0, cost_eur=0, external_cost_avoided_eur=0, in_house_share=0)
    event = LearningPlanUpdated(
        employee_id=employee_id,
        rollout_id="rollout-1",
        plan_version=1,
        profile_version=1,
        totals=totals,
    )
    return Envelope(event, "/tests")


async def test_each_recipient_gets_one_email_in_their_language(start_service, namespace, smtp):
    controller, mailbox = smtp
    intake = start_service("intake")
    notification = start_service(
        "notification",
        intake_url=intake.url,
        smtp_host="127.0.0.1",
        smtp_port=str(controller.port),
        email_poll_interval_s="0.2",
    )
    async with httpx.AsyncClient(base_url=intake.url) as http:
        ids = await seed_company(http)
    english, german = ids["1003"], ids["1001"]  # Gdańsk speaks English, Hamburg German
    request = MentorRequested(
        mentor_id=german,
        mentee_id=english,
        rollout_id="rollout-1",
        item_id="kpi@3",
        offer_id="mentor-kpi",
        competence_id="kpi",
        target_level=3,
    )
    idea = IdeaStatusChanged(
        idea_id="idea-1",
        rollout_id="rollout-1",
        process_id=None,
        kind=IdeaKind.PROCESS,
        author_id=english,
        status=IdeaStatus.ADOPTED,
        status_version=2,
    )
    first = plan(english)
    events = [first, Envelope(request, "/tests"), Envelope(idea, "/tests"), first]  # redelivery
    await produce_envelopes(namespace.servers.kafka_bootstrap, namespace.topic_prefix, events)

    mails = await received(mailbox, 3)
    await asyncio.sleep(1.5)  # a second e-mail for the redelivered plan would come by now
    assert len(mailbox.messages) == 3
    by_subject = {m["Subject"]: m for m in mails}
    assert set(by_subject) == {
        "Your learning plan is ready",
        "Eine Anfrage als Mentor/in",
        "An answer to your idea",
    }
    assert by_subject["Your learning plan is ready"]["To"] == "person3@nordwind.example"
    assert by_subject["Eine Anfrage als Mentor/in"]["To"] == "person1@nordwind.example"
    assert "adopted" in by_subject["An answer to your idea"].get_payload()
    assert len({m["Message-ID"] for m in mails}) == 3

    async with httpx.AsyncClient() as http:
        inbox = await http.get(
            f"{notification.url}/v1/inbox/{english}",
            headers=bearer(english),
        )
    assert sorted(m["title"] for m in inbox.json()) == [
        "An answer to your idea",
        "Your learning plan is ready",
    ]
