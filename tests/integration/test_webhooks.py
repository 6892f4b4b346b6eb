"""Webhooks on the real Kafka and MongoDB, posted to a real HTTP receiver in this process
and checked with the Standard Webhooks reference verifier."""

import threading
from collections.abc import AsyncIterator, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import NamedTuple

import httpx
import pytest
from standardwebhooks import Webhook

from gegenstrom_contracts.envelope import Envelope
from gegenstrom_contracts.rollouts import IdeaKind, IdeaStatus, IdeaStatusChanged
from gegenstrom_contracts.training_match import (
    ItemKind,
    ItemStatus,
    LearningItemStatusChanged,
    LearningPlanUpdated,
    MentorRequested,
    PlanTotals,
)
from gegenstrom_runtime.auth import Role
from gegenstrom_runtime.service import Infrastructure
from notification.main import create_app
from notification.settings import NotificationSettings
from notification.webhooks.model import webhook_id
from support.apps import infra_settings, serving
from support.kafka_io import produce_envelopes, wait_group_caught_up
from support.servers import free_port
from support.tokens import bearer
from support.waiting import count_reaches

HR = bearer("hr-1", Role.HR)
MENTOR = MentorRequested.event_type
PLAN = LearningPlanUpdated.event_type


class Received(NamedTuple):
    path: str
    headers: dict[str, str]
    body: bytes


class Receiver:
    """A real HTTP server on a free port: records every POST, answers 500 on failing paths."""

    def __init__(self) -> None:
        self.requests: list[Received] = []
        self.failures: dict[str, int] = {}  # path: how many more 500s (-1: until healed)
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self._server.server_port}{path}"

    def at(self, path: str) -> list[Received]:
        return [r for r in self.requests if r.path == path]

    def answer(self, path: str) -> int:
        with self._lock:
            left = self.failures.get(path, 0)
            if left > 0:
                self.failures[path] = left - 1
            return 500 if left else 204

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["content-length"]))
                headers = {k.lower(): v for k, v in self.headers.items()}
                receiver.requests.append(Received(self.path, headers, body))
                self.send_response(receiver.answer(self.path))
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        return Handler

    def __enter__(self) -> "Receiver":
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as running:
        yield running


@pytest.fixture
async def notification(namespace) -> AsyncIterator[tuple[httpx.AsyncClient, Infrastructure]]:
    settings = NotificationSettings(
        **infra_settings(namespace, "notification"),
        intake_url=f"http://127.0.0.1:{free_port()}",  # away: the inbox uses its default
        webhook_retry_delays_s=[0.2, 0.2],
        webhook_poll_interval_s=0.05,
        webhook_timeout_s=2,
    )
    app = create_app(settings)
    async with serving(app) as infra:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://n") as client:
            yield client, infra


def event(data) -> Envelope:
    return Envelope(data, "/tests")


def mentor_requested() -> Envelope:
    ids = dict(mentor_id="emp-mentor", mentee_id="emp-mentee", rollout_id="r", item_id="sap@3")
    return event(MentorRequested(**ids, offer_id="mentor-sap", competence_id="sap", target_level=3))


def item_started() -> Envelope:
    ids = dict(employee_id="emp-1", rollout_id="r", item_id="sap@3", competence_id="sap")
    status = dict(kind=ItemKind.MENTOR, status=ItemStatus.STARTED, changed_by="emp-1")
    return event(LearningItemStatusChanged(**ids, **status))


def idea_adopted() -> Envelope:
    ids = dict(idea_id="idea-1", rollout_id="r", process_id=None, author_id="emp-1")
    status = dict(kind=IdeaKind.PROCESS, status=IdeaStatus.ADOPTED, status_version=1)
    return event(IdeaStatusChanged(**ids, **status))


def plan_updated() -> Envelope:
    totals = PlanTotals(hours=0, cost_eur=0, external_cost_avoided_eur=0, in_house_share=0)
    ids = dict(employee_id="emp-1", rollout_id="r", plan_version=1, profile_version=1)
    return event(LearningPlanUpdated(**ids, totals=totals))


async def subscribe(client: httpx.AsyncClient, url: str, *event_types: str) -> dict:
    body = {"url": url, "event_types": list(event_types), "description": "HR suite"}
    response = await client.post("/v1/webhooks/subscriptions", json=body, headers=HR)
    assert response.status_code == 201, response.text
    return response.json()


async def produce_and_settle(namespace, *envelopes: Envelope) -> None:
    """Produce onto Kafka and wait until notification committed every record."""
    bootstrap = namespace.servers.kafka_bootstrap
    await produce_envelopes(bootstrap, namespace.topic_prefix, list(envelopes))
    for topic in {e.data.topic for e in envelopes}:
        await wait_group_caught_up(
            bootstrap, namespace.group("notification", topic), namespace.topic(topic)
        )


async def received(receiver: Receiver, path: str, count: int) -> list[Received]:
    async def seen() -> int:
        return len(receiver.at(path))

    await count_reaches(seen, count)
    return receiver.at(path)


async def deliveries(client: httpx.AsyncClient, **query) -> list[dict]:
    response = await client.get("/v1/webhooks/deliveries", params=query, headers=HR)
    assert response.status_code == 200, response.text
    return response.json()


async def with_status(client: httpx.AsyncClient, status: str, count: int = 1) -> list[dict]:
    async def counted() -> int:
        return len(await deliveries(client, status=status))

    await count_reaches(counted, count)
    return await deliveries(client, status=status)


def verified(secret: str, request: Received) -> dict:
    """The CloudEvent, once the reference library accepted the signature."""
    return Webhook(secret).verify(request.body, request.headers)


async def test_subscribed_type_is_delivered_once_signed_and_others_not(
    notification, receiver, namespace
):
    client, _ = notification
    subscription = await subscribe(client, receiver.url("/hr"), MENTOR)
    assert subscription["secret"].startswith("whsec_")
    event = mentor_requested()

    await produce_and_settle(namespace, event, item_started(), idea_adopted())
    [delivered] = await with_status(client, "delivered")

    [request] = await received(receiver, "/hr", 1)
    cloud_event = verified(subscription["secret"], request)
    assert request.headers["content-type"] == "application/cloudevents+json"
    assert request.headers["webhook-id"] == webhook_id(event.id, subscription["subscription_id"])
    assert (cloud_event["id"], cloud_event["type"]) == (event.id, MENTOR)
    assert cloud_event["data"]["mentor_id"] == "emp-mentor"
    assert delivered["webhook_id"] == request.headers["webhook-id"]
    assert len(await deliveries(client)) == 1
    assert len(receiver.requests) == 1


async def test_learning_plan_reaches_the_inbox_and_the_webhook(notification, receiver, namespace):
    client, infra = notification
    subscription = await subscribe(client, receiver.url("/lms"), PLAN)

    await produce_and_settle(namespace, plan_updated())
    [request] = await received(receiver, "/lms", 1)

    assert verified(subscription["secret"], request)["data"]["employee_id"] == "emp-1"
    assert await infra.db["inbox"].count_documents({"recipient_id": "emp-1"}) == 1


async def test_receiver_failing_twice_gets_the_third_try_with_the_same_id(
    notification, receiver, namespace
):
    client, _ = notification
    receiver.failures["/flaky"] = 2
    subscription = await subscribe(client, receiver.url("/flaky"), MENTOR)

    await produce_and_settle(namespace, mentor_requested())
    [delivered] = await with_status(client, "delivered")

    tries = await received(receiver, "/flaky", 3)
    assert len({t.headers["webhook-id"] for t in tries}) == 1
    assert all(verified(subscription["secret"], t) for t in tries)
    assert (delivered["attempts"], delivered["last_status"]) == (3, 204)


async def test_receiver_always_failing_is_dead_lettered_then_redelivered_on_request(
    notification, receiver, namespace
):
    client, infra = notification
    receiver.failures["/down"] = -1
    subscription = await subscribe(client, receiver.url("/down"), MENTOR)

    await produce_and_settle(namespace, mentor_requested())
    [failed] = await with_status(client, "failed")
    assert len(receiver.at("/down")) == 3  # the first try and one per retry delay
    dead = await infra.db["webhook_dead_letters"].find_one({"webhook_id": failed["webhook_id"]})
    assert dead is not None
    assert (dead["subscription_id"], dead["event_type"]) == (
        subscription["subscription_id"],
        MENTOR,
    )
    assert (dead["attempts"], dead["last_status"], dead["last_error"]) == (3, 500, "HTTP 500")

    del receiver.failures["/down"]
    path = f"/v1/webhooks/deliveries/{failed['webhook_id']}/redeliver"
    response = await client.post(path, headers=HR)
    assert response.status_code == 200, response.text
    await with_status(client, "delivered")

    last = (await received(receiver, "/down", 4))[-1]
    assert last.headers["webhook-id"] == failed["webhook_id"]
    assert verified(subscription["secret"], last)


async def test_same_event_twice_on_kafka_is_delivered_once(notification, receiver, namespace):
    client, infra = notification
    await subscribe(client, receiver.url("/bi"), MENTOR)
    event = mentor_requested()

    await produce_and_settle(namespace, event, event)
    await with_status(client, "delivered")

    assert await infra.db["webhook_deliveries"].count_documents({}) == 1
    assert len(receiver.at("/bi")) == 1


async def test_only_admin_and_hr_subscribe_and_only_known_types(notification):
    client, _ = notification
    employee = bearer("emp-1", Role.EMPLOYEE)
    body = {"url": "https://lms.example/hook", "event_types": [MENTOR]}

    async def post(body: dict, headers: dict) -> httpx.Response:
        return await client.post("/v1/webhooks/subscriptions", json=body, headers=headers)

    assert (await post(body, employee)).status_code == 403
    assert (await client.get("/v1/webhooks/deliveries", headers=employee)).status_code == 403
    unknown = await post(body | {"event_types": [MENTOR, "org.example.nope.v1"]}, HR)
    assert unknown.status_code == 422
    assert "org.example.nope.v1" in unknown.text and PLAN in unknown.text
    assert (await post(body | {"url": "ftp://lms.example/hook"}, HR)).status_code == 422

    created = await subscribe(client, body["url"], MENTOR)
    listed = (await client.get("/v1/webhooks/subscriptions", headers=HR)).json()
    assert [s["subscription_id"] for s in listed] == [created["subscription_id"]]
    assert "secret" not in listed[0]
    path = f"/v1/webhooks/subscriptions/{created['subscription_id']}"
    assert (await client.delete(path, headers=HR)).status_code == 204
    assert (await client.delete(path, headers=HR)).status_code == 404
