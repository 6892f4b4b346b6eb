"""Webhook rules without servers: signatures, ids, retries, validation, one handler a topic."""

import base64
import json
import time

import pytest
from pydantic import ValidationError
from standardwebhooks import Webhook

from gegenstrom_contracts import topics
from gegenstrom_contracts.envelope import Envelope
from gegenstrom_contracts.training_match import LearningPlanUpdated, MentorRequested, PlanTotals
from gegenstrom_runtime.service import Consumes
from gegenstrom_runtime.unit_of_work import AlreadyProcessed
from notification.webhooks.fanout import in_turn, with_webhooks
from notification.webhooks.model import (
    PUBLIC_TOPICS,
    SubscriptionRequest,
    cloudevent_json,
    new_secret,
    retry_delay,
    webhook_id,
)
from notification.webhooks.signing import signed_headers

MENTOR = "org.gegenstrom.training-match.mentor-requested.v1"
PLAN = Envelope(
    LearningPlanUpdated(
        employee_id="emp-1",
        rollout_id="r",
        plan_version=1,
        profile_version=1,
        totals=PlanTotals(hours=0, cost_eur=0, external_cost_avoided_eur=0, in_house_share=0),
    ),
    "/tests",
)


def test_signature_matches_the_published_standard_webhooks_example():
    headers = signed_headers(
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        "msg_p5jXN8AQM9LWM0D4loKWxJek",
        '{"test": 2432232314}',
        1614265330,
    )
    assert headers["webhook-signature"] == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    assert headers["webhook-timestamp"] == "1614265330"


def test_a_new_secret_signs_what_the_reference_verifier_accepts():
    secret = new_secret()
    assert secret.startswith("whsec_")
    assert len(base64.b64decode(secret.removeprefix("whsec_"))) == 32
    body = cloudevent_json(PLAN)
    headers = signed_headers(secret, "msg_1", body, int(time.time()))
    assert Webhook(secret).verify(body, headers)["data"]["employee_id"] == "emp-1"


def test_webhook_id_is_stable_per_event_and_subscription():
    assert webhook_id("ev-1", "sub_a") == webhook_id("ev-1", "sub_a")
    assert webhook_id("ev-1", "sub_a") != webhook_id("ev-1", "sub_b")
    assert webhook_id("ev-1", "sub_a").startswith("msg_")


def test_the_body_is_a_structured_cloudevent():
    event = json.loads(cloudevent_json(PLAN))
    assert event["specversion"] == "1.0"
    assert (event["id"], event["type"], event["subject"]) == (PLAN.id, PLAN.type, "emp-1")
    assert event["data"]["plan_version"] == 1


def test_retry_schedule_then_no_try_left():
    delays = [5, 30, 300]
    assert [retry_delay(n, delays) for n in (1, 2, 3, 4)] == [5, 30, 300, None]


def test_unknown_event_type_is_named_and_the_known_ones_listed():
    with pytest.raises(ValidationError) as error:
        SubscriptionRequest(url="https://hr.example/hook", event_types=[MENTOR, "nope.v1"])
    assert "unknown event type(s): nope.v1" in str(error.value)
    assert MENTOR in str(error.value)


def test_only_http_urls():
    with pytest.raises(ValidationError):
        SubscriptionRequest(url="ftp://hr.example/hook", event_types=[MENTOR])


class FanOut:
    """Stands in for ``WebhookFanOut``: records what it was given, may report a repeat."""

    def __init__(self, calls: list, repeat: bool = False) -> None:
        self.calls, self.repeat = calls, repeat

    async def __call__(self, envelope):
        await self.many([envelope])

    async def many(self, envelopes):
        self.calls.append(("webhooks", [e.id for e in envelopes]))
        if self.repeat:
            raise AlreadyProcessed(envelopes[0].id)


def test_one_handler_per_topic_with_the_inbox_first_on_learning_plans():
    async def inbox(envelope):
        pass

    fan_out = FanOut([])
    merged = with_webhooks([Consumes(topics.LEARNING_PLAN, [LearningPlanUpdated], inbox)], fan_out)
    assert sorted(c.topic.name for c in merged) == sorted(t.name for t in PUBLIC_TOPICS)
    item = next(c for c in merged if c.topic == topics.LEARNING_ITEM)
    assert MentorRequested in item.events
    assert item.batch_handler == fan_out.many  # nobody else consumes it: the fan-out batches
    twice = [Consumes(topics.IDEA, [], inbox), Consumes(topics.IDEA, [], inbox)]
    with pytest.raises(ValueError, match="one Consumes per topic"):
        with_webhooks(twice, fan_out)


async def test_in_turn_runs_what_has_not_run_and_is_a_duplicate_only_when_both_had():
    calls: list = []

    async def inbox_handler(envelope):
        calls.append(("inbox", [envelope.id]))
        raise AlreadyProcessed(envelope.id)

    inbox = Consumes(topics.LEARNING_PLAN, [LearningPlanUpdated], inbox_handler)
    await in_turn(inbox, FanOut(calls), inbox.events).handler(PLAN)
    assert calls == [("inbox", [PLAN.id]), ("webhooks", [PLAN.id])]
    with pytest.raises(AlreadyProcessed):
        await in_turn(inbox, FanOut(calls, repeat=True), inbox.events).handler(PLAN)


async def test_in_turn_gives_a_batch_to_the_inbox_for_its_types_and_all_to_the_fan_out():
    calls: list = []

    async def inbox_many(envelopes):
        calls.append(("inbox", [e.id for e in envelopes]))

    inbox = Consumes.batched(topics.LEARNING_PLAN, [MentorRequested], inbox_many)
    merged = in_turn(inbox, FanOut(calls), [MentorRequested, LearningPlanUpdated])
    mentor = Envelope(MentorRequested.model_construct(), "/tests")
    assert merged.batch_handler is not None
    await merged.batch_handler([PLAN, mentor])
    assert calls == [("inbox", [mentor.id]), ("webhooks", [PLAN.id, mentor.id])]
