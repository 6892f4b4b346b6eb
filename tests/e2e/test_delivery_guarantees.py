"""At-least-once delivery made safe: duplicates, crashes, bad records and shutdowns."""

import json
import signal

import pytest

from gegenstrom_contracts import topics
from gegenstrom_contracts.envelope import Envelope
from gegenstrom_contracts.profiling import CompetenceProfileUpdated
from gegenstrom_contracts.training_match import LearningPlanUpdated, PlanTotals
from support.factories import input_event
from support.kafka_io import (
    header,
    produce,
    produce_envelopes,
    read_all,
    read_until,
    wait_group_caught_up,
)
from support.waiting import count_reaches, outbox_drained

TWICE_DELIVERED = {
    # service: (event it consumes, the topic its result goes to, the collection it writes)
    "profiling": (lambda: input_event("emp-dup"), topics.COMPETENCE_PROFILE, "profiles"),
    "training_match": (
        lambda: Envelope(
            CompetenceProfileUpdated(
                employee_id="emp-dup",
                rollout_id="r",
                profile_version=1,
                input_version=1,
                site_id="site-a",
            ),
            "/tests",
        ),
        topics.LEARNING_PLAN,
        "learning_plans",
    ),
    "notification": (
        lambda: Envelope(
            LearningPlanUpdated(
                employee_id="emp-dup",
                rollout_id="r",
                plan_version=1,
                profile_version=1,
                totals=PlanTotals(
                    hours=0, cost_eur=0, external_cost_avoided_eur=0, in_house_share=0
                ),
            ),
            "/tests",
        ),
        topics.NOTIFICATION,
        "inbox",
    ),
}


@pytest.mark.parametrize("service", TWICE_DELIVERED)
async def test_same_event_twice_writes_once(service, start_service, namespace, mongo):
    make_event, result_topic, collection = TWICE_DELIVERED[service]
    event = make_event()
    start_service(service)
    bootstrap = namespace.servers.kafka_bootstrap

    await produce_envelopes(bootstrap, namespace.topic_prefix, [event, event])
    await wait_group_caught_up(
        bootstrap, namespace.group(service, event.data.topic), namespace.topic(event.data.topic)
    )

    db = mongo[namespace.database(service)]
    await outbox_drained(db)
    assert await db[collection].count_documents({}) == 1
    assert await db["processed_events"].count_documents({}) == 1
    results = await read_all(bootstrap, namespace.topic(result_topic))
    assert len(results) == 1


async def test_kill_between_write_and_publish_publishes_after_restart(
    start_service, namespace, mongo
):
    bootstrap = namespace.servers.kafka_bootstrap
    db = mongo[namespace.database("profiling")]
    stuck = start_service("profiling", hold_before_publish="true")
    await produce_envelopes(bootstrap, namespace.topic_prefix, [input_event("emp-crash")])

    await count_reaches(lambda: db["outbox"].count_documents({"published_at": None}), 1)
    stuck.kill()
    profile_topic = namespace.topic(topics.COMPETENCE_PROFILE)
    assert await read_all(bootstrap, profile_topic) == []

    start_service("profiling")
    records = await read_until(bootstrap, profile_topic, lambda rs: len(rs) >= 1)
    await wait_group_caught_up(
        bootstrap,
        namespace.group("profiling", topics.EMPLOYEE_INPUT),
        namespace.topic(topics.EMPLOYEE_INPUT),
    )
    await outbox_drained(db)

    records = await read_all(bootstrap, profile_topic)
    assert len({header(r, "ce_id") for r in records}) == 1
    profile = await db["profiles"].find_one({})
    assert profile["version"] == 1


async def test_malformed_records_go_to_the_dlq_and_the_next_is_processed(
    start_service, namespace, mongo
):
    bootstrap = namespace.servers.kafka_bootstrap
    input_topic = namespace.topic(topics.EMPLOYEE_INPUT)
    good = input_event("emp-good")
    headers = good.headers()
    bad_level = json.loads(good.body()) | {"self_ratings": [{"competence_id": "x", "level": 9}]}
    start_service("profiling")

    await produce(
        bootstrap,
        input_topic,
        [
            (b"emp-bad", b"{not json", headers | {"ce_id": "bad-json"}),
            (b"emp-bad", json.dumps(bad_level).encode(), headers | {"ce_id": "bad-level"}),
            (b"emp-bad", good.body(), {"content-type": "application/json"}),
            (good.key(), good.body(), headers),
        ],
    )

    profiles = await read_until(
        bootstrap, namespace.topic(topics.COMPETENCE_PROFILE), lambda rs: len(rs) >= 1
    )
    assert [json.loads(r.value)["employee_id"] for r in profiles] == ["emp-good"]

    dead = await read_until(bootstrap, input_topic + ".dlq", lambda rs: len(rs) >= 3)
    reasons = [header(r, "dlq_reason") for r in dead]
    assert "invalid" in reasons[0] and "JSON" in reasons[0]
    assert "self_ratings.0.level" in reasons[1]
    assert "missing CloudEvents header" in reasons[2]
    assert [header(r, "dlq_topic") for r in dead] == [input_topic] * 3
    assert len({(header(r, "dlq_partition"), header(r, "dlq_offset")) for r in dead}) == 3
    assert [r.value for r in dead[:1]] == [b"{not json"]
    db = mongo[namespace.database("profiling")]
    assert await db["profiles"].count_documents({}) == 1


async def test_sigterm_with_records_in_flight_loses_nothing(start_service, namespace, mongo):
    bootstrap = namespace.servers.kafka_bootstrap
    db = mongo[namespace.database("profiling")]
    count = 300
    # small batches, so the stop lands between commits and not after the last one
    profiling = start_service("profiling", consumer_batch_size="5")
    await produce_envelopes(
        bootstrap, namespace.topic_prefix, [input_event(f"emp-{i:04d}") for i in range(count)]
    )
    await count_reaches(lambda: db["processed_events"].count_documents({}), 1, at_least=True)

    # uvicorn re-raises SIGTERM after its graceful shutdown, so -15 is a clean exit too
    assert profiling.terminate() in (0, -signal.SIGTERM)
    assert "profiling stopped" in profiling.log_tail()
    processed_before_restart = await db["processed_events"].count_documents({})
    start_service("profiling")
    await wait_group_caught_up(
        bootstrap,
        namespace.group("profiling", topics.EMPLOYEE_INPUT),
        namespace.topic(topics.EMPLOYEE_INPUT),
    )
    await outbox_drained(db)

    assert 0 < processed_before_restart < count, "the stop did not interrupt the stream"
    assert await db["profiles"].count_documents({"version": 1}) == count
    records = await read_all(bootstrap, namespace.topic(topics.COMPETENCE_PROFILE))
    assert len(records) == count
    assert len({header(r, "ce_id") for r in records}) == count
