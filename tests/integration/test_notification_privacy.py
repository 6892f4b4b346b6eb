"""Notification's privacy controls on the real Kafka and MongoDB, the app in this process:
erasure on request, retention on a clock the test moves, the works agreement's k and the
access log of the HR team's inbox."""

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

import bson
import httpx
import pytest

from gegenstrom_contracts import topics
from gegenstrom_contracts.envelope import Envelope
from gegenstrom_contracts.notification import NotificationCreated
from gegenstrom_contracts.privacy import (
    EmployeeErased,
    RetentionPeriods,
    WorksAgreementChanged,
    WorksAgreementTerms,
)
from gegenstrom_contracts.training_match import (
    ItemKind,
    ItemStatus,
    LearningPlanItem,
    LearningPlanUpdated,
    MentorRequested,
    PlanTotals,
)
from gegenstrom_runtime.auth import Role
from gegenstrom_runtime.privacy import WorksAgreement
from gegenstrom_runtime.service import Infrastructure
from notification import handlers, privacy
from notification.digest import Digests, record_plans
from notification.domain import HR_INBOX, InboxMessage
from notification.main import create_app
from notification.retention import enforce_retention
from notification.settings import NotificationSettings
from support.apps import infra_settings, serving
from support.kafka_io import produce_envelopes, read_all, read_until, wait_group_caught_up
from support.servers import free_port
from support.tokens import bearer
from support.waiting import count_reaches

PLAN = LearningPlanUpdated.event_type
CREATED = NotificationCreated.event_type
MENTOR = MentorRequested.event_type
DAY = timedelta(days=1)


class MovableClock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


class Notification(NamedTuple):
    client: httpx.AsyncClient
    infra: Infrastructure
    clock: MovableClock


@pytest.fixture
async def notification(namespace) -> AsyncIterator[Notification]:
    clock = MovableClock()
    settings = NotificationSettings(
        **infra_settings(namespace, "notification"),
        intake_url=f"http://127.0.0.1:{free_port()}",  # away: the inbox uses its default
        webhook_retry_delays_s=[],  # a refused POST fails at once and is dead-lettered
        webhook_poll_interval_s=0.05,
        webhook_timeout_s=2,
        digest_poll_interval_s=3600,  # the app's own digest looks once, at start
    )
    app = create_app(settings, clock=clock)
    async with serving(app) as infra:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://n") as client:
            yield Notification(client, infra, clock)


def person(label: str) -> str:
    return f"{label}-{uuid.uuid4().hex[:12]}"


def plan(employee_id: str, version: int = 1, external: bool = False) -> Envelope:
    status = ItemStatus.AWAITING_APPROVAL if external else ItemStatus.PLANNED
    item = LearningPlanItem(
        item_id="sap@3",
        competence_id="sap",
        target_level=3,
        kind=ItemKind.EXTERNAL_COURSE if external else ItemKind.MENTOR,
        status=status,
        hours=8,
        cost_eur=900 if external else 0,
        reason="test",
        offer_id="sap-course",
    )
    totals = PlanTotals(hours=8, cost_eur=0, external_cost_avoided_eur=900, in_house_share=1)
    event = LearningPlanUpdated(
        employee_id=employee_id,
        rollout_id="r",
        plan_version=version,
        profile_version=version,
        site_id="siegen",
        items=[item],
        totals=totals,
    )
    return Envelope(event, "/tests")


def mentor_request(mentor_id: str, mentee_id: str) -> Envelope:
    ids = dict(mentor_id=mentor_id, mentee_id=mentee_id, rollout_id="r", item_id="sap@3")
    event = MentorRequested(**ids, offer_id="mentor-sap", competence_id="sap", target_level=3)
    return Envelope(event, "/tests")


async def settle(namespace, *envelopes: Envelope) -> None:
    """Produce onto Kafka and wait until notification committed every record."""
    bootstrap = namespace.servers.kafka_bootstrap
    await produce_envelopes(bootstrap, namespace.topic_prefix, list(envelopes))
    for topic in {e.data.topic for e in envelopes}:
        await wait_group_caught_up(
            bootstrap, namespace.group("notification", topic), namespace.topic(topic)
        )


async def subscribe(client: httpx.AsyncClient, who: dict, *event_types: str) -> None:
    url = f"http://127.0.0.1:{free_port()}/hook"  # refused: every delivery fails
    body = {"url": url, "event_types": list(event_types)}
    response = await client.post("/v1/webhooks/subscriptions", json=body, headers=who)
    assert response.status_code == 201, response.text


async def reaches(infra: Infrastructure, collection: str, count: int, query=None) -> None:
    async def counted() -> int:
        return await infra.db[collection].count_documents(query or {})

    await count_reaches(counted, count)


async def holding(infra: Infrastructure, employee_id: str) -> list[str]:
    """Every document of notification's database whose BSON holds the id's bytes."""
    needle, found = employee_id.encode(), []
    for name in await infra.db.list_collection_names():
        async for doc in infra.db[name].find():
            if needle in bson.encode(doc):
                found.append(f"{name}: {doc['_id']}")
    return found


def bootstrap_of(namespace) -> str:
    return namespace.servers.kafka_bootstrap


async def confirmations(namespace, employee_id: str, at_least: int = 1) -> list[dict]:
    def mine(records) -> list[dict]:
        bodies = [json.loads(r.value) for r in records]
        return [b for b in bodies if b["employee_id"] == employee_id]

    bootstrap, topic = namespace.servers.kafka_bootstrap, topics.ERASURE_CONFIRMATION
    records = await read_until(
        bootstrap, namespace.topic(topic), lambda rs: len(mine(rs)) >= at_least
    )
    return mine(records)


async def test_erasure_removes_every_trace_of_one_employee_and_keeps_the_other(
    notification, namespace
):
    client, infra, clock = notification
    erased, kept = person("erased"), person("kept")
    await subscribe(client, bearer(erased, Role.HR), PLAN, CREATED, MENTOR)
    events = [plan(erased, external=True), plan(kept), mentor_request(kept, erased)]
    await settle(namespace, *events)
    # inbox: both plans, HR's approval about ``erased``, ``kept``'s mentor request about them
    await reaches(infra, "inbox", 4)
    await reaches(infra, "webhook_dead_letters", 7)  # 2 plans, 1 request, 4 notifications
    assert await holding(infra, erased)

    erasure = Envelope(EmployeeErased(employee_id=erased), "/tests")
    await settle(namespace, erasure)
    [confirmed] = await confirmations(namespace, erased)
    assert confirmed["service"] == "notification"
    # a record that passed the consumer's check before the erasure is handled after it
    await handlers.on_events(infra, Managers(), clock, [plan(erased, version=3)])
    await reaches(infra, "outbox", 0)  # the confirmation itself has left

    assert await holding(infra, erased) == []
    assert [d["_id"] async for d in infra.db["inbox"].find()] == [f"{kept}:r:plan:1"]
    assert await infra.db["email_queue"].count_documents({"recipient_id": kept}) == 1
    assert await infra.db["digest_facts"].count_documents({}) == 1
    bodies = [d["body"] async for d in infra.db["webhook_deliveries"].find()]
    assert len(bodies) == 2 and all(kept in b for b in bodies)
    assert await infra.db["webhook_dead_letters"].count_documents({}) == 2

    # late, a redelivery, and in flight: a request to them about someone else
    await settle(namespace, plan(erased, version=2), erasure, mentor_request(erased, kept))
    everything = await read_all(
        bootstrap_of(namespace), namespace.topic(topics.ERASURE_CONFIRMATION)
    )
    assert len(everything) == 1
    await settle(namespace, Envelope(EmployeeErased(employee_id=erased), "/tests"))  # again
    assert await holding(infra, erased) == []
    assert await infra.db["inbox"].count_documents({}) == 1


async def test_an_erasure_committing_while_a_plan_is_in_its_transaction_leaves_nothing(
    notification, namespace, monkeypatch
):
    """The plan passed every check before the erasure came, and its transaction is still
    open while the erasure runs: the two conflict, one retries and sees the other's data."""
    _, infra, clock = notification
    late = person("late")
    record_plans, erasing = handlers.record_plans, []

    async def erasing_before_the_first_write(*args):
        erasure = Envelope(EmployeeErased(employee_id=late), "/tests")
        erasing.append(asyncio.create_task(settle(namespace, erasure)))
        await asyncio.sleep(1)  # time enough for the erasure to commit, could it
        return await record_plans(*args)

    monkeypatch.setattr(handlers, "record_plans", erasing_before_the_first_write)
    await handlers.on_events(infra, Managers(), clock, [plan(late, external=True)])
    await asyncio.gather(*erasing)
    [confirmed] = await confirmations(namespace, late)
    await reaches(infra, "outbox", 0)

    assert await holding(infra, late) == []
    confirmations_topic = namespace.topic(topics.ERASURE_CONFIRMATION)
    [confirmation] = await read_all(bootstrap_of(namespace), confirmations_topic)
    assert confirmed["service"] == "notification"
    told = await read_all(bootstrap_of(namespace), namespace.topic(topics.NOTIFICATION))
    # told before the erasure finished, or never: the erasure purges what is still pending
    about_late = [r for r in told if late.encode() in r.value]
    assert all(r.timestamp <= confirmation.timestamp for r in about_late)


async def test_a_plan_whose_tombstone_check_missed_the_erasure_writes_nothing(
    notification, namespace, monkeypatch
):
    """The plain tombstone reads (the consumer's, the fan-out's) may see the database a
    moment before the erasure's commit; the guard read inside the transaction sees it."""
    client, infra, _ = notification
    late = person("late")
    await subscribe(client, bearer("hr-1", Role.HR), PLAN)
    await settle(namespace, Envelope(EmployeeErased(employee_id=late), "/tests"))
    await confirmations(namespace, late)

    async def nobody_erased(employee_ids) -> set[str]:
        return set()

    monkeypatch.setattr(infra.erased, "held", nobody_erased)
    await settle(namespace, plan(late, external=True), plan(person("kept")))
    assert await infra.db["webhook_deliveries"].count_documents({}) == 1  # the other plan's
    assert await holding(infra, late) == []


async def test_retention_removes_exactly_what_expired(notification, namespace):
    client, infra, clock = notification
    await subscribe(client, bearer("hr-1", Role.HR), PLAN)
    start = clock.now
    old, new = person("old"), person("new")
    await settle(namespace, plan(old))
    await reaches(infra, "webhook_dead_letters", 1)

    clock.now = start + 60 * DAY
    await settle(namespace, plan(new))
    await reaches(infra, "webhook_dead_letters", 2)

    clock.now = start + 61 * DAY  # webhooks are kept 30 days, notifications 90
    removed = await enforce_retention(infra, clock)
    assert (removed["webhook_deliveries"], removed["webhook_dead_letters"]) == (1, 1)
    assert removed["inbox"] == removed["email_queue"] == 0
    [delivery] = await infra.db["webhook_deliveries"].find().to_list()
    assert new in delivery["body"]

    clock.now = start + 91 * DAY
    removed = await enforce_retention(infra, clock)
    assert (removed["inbox"], removed["email_queue"]) == (1, 1)
    assert [d["recipient_id"] async for d in infra.db["inbox"].find()] == [new]
    assert [d["recipient_id"] async for d in infra.db["email_queue"].find()] == [new]
    assert await infra.db["digest_facts"].count_documents({}) == 0  # both periods are past


async def test_retention_follows_the_works_agreement(notification, namespace):
    _, infra, clock = notification
    start = clock.now
    await settle(namespace, plan(person("someone")))
    terms = WorksAgreementTerms(retention=RetentionPeriods(delivered_notifications_days=10))
    changed = WorksAgreementChanged(agreement_version=1, terms=terms, in_force_from=start)
    await settle(namespace, Envelope(changed, "/tests"))

    clock.now = start + 11 * DAY
    assert (await enforce_retention(infra, clock))["inbox"] == 1


async def test_digest_facts_stay_until_their_period_is_past(notification):
    _, infra, clock = notification
    period = timedelta(seconds=infra.settings.digest_period_s)
    async with infra.mongo.start_session() as session:
        await record_plans(infra.db, [plan(person("p")).data], clock.now, session)
    await enforce_retention(infra, clock)
    clock.now += period  # the fact's period is the last one: it may still be digested
    assert (await enforce_retention(infra, clock))["digest_facts"] == 0
    clock.now += period
    assert (await enforce_retention(infra, clock))["digest_facts"] == 1


class Managers:
    async def managers(self, site_id: str) -> list[str]:
        return ["manager-1"]

    async def contact(self, employee_id: str):
        return None

    async def language(self, employee_id: str):
        return None

    async def languages(self, employee_ids):
        return {}


async def test_the_works_agreement_sets_the_digest_k(notification, namespace):
    _, infra, clock = notification
    agreement = WorksAgreement(infra.db, 5)
    sent: list[InboxMessage] = []

    async def deliver(message: InboxMessage) -> bool:
        sent.append(message)
        return True

    period = timedelta(days=7)
    digests = Digests(
        infra.db,
        Managers(),
        Managers(),
        deliver,
        period=period,
        k=lambda: privacy.k_threshold(agreement),
        clock=clock,
    )

    async def three_plans_then_digest() -> str:
        async with infra.mongo.start_session() as session:
            for _ in range(3):
                await record_plans(infra.db, [plan(person("p")).data], clock.now, session)
        clock.now += period
        await digests.tick()
        return sent[-1].body

    assert "900" not in await three_plans_then_digest()  # 3 < k = 5: suppressed
    terms = WorksAgreementTerms(k=3)
    changed = WorksAgreementChanged(agreement_version=1, terms=terms, in_force_from=clock.now)
    await settle(namespace, Envelope(changed, "/tests"))
    assert (await agreement.terms()).k == 3
    assert "2700" in await three_plans_then_digest()  # 3 >= k = 3: shown


async def test_reading_the_hr_inbox_is_logged_with_whom_it_concerns(notification, namespace):
    client, _, _ = notification
    employee = person("emp")
    await settle(namespace, plan(employee, external=True))
    reader = person("hr")

    response = await client.get(f"/v1/inbox/{HR_INBOX}", headers=bearer(reader, Role.HR))
    assert response.status_code == 200
    assert [m["about_employee_id"] for m in response.json()] == [employee]

    def logged(records) -> list[dict]:
        bodies = [json.loads(r.value) for r in records]
        return [b for b in bodies if b["reader_id"] == reader]

    bootstrap, topic = namespace.servers.kafka_bootstrap, namespace.topic(topics.DATA_ACCESS)
    [access] = logged(await read_until(bootstrap, topic, lambda rs: bool(logged(rs))))
    assert (access["employee_ids"], access["data"], access["reader_role"]) == (
        [employee],
        "inbox",
        "hr",
    )
