"""A transient failure is retried on the real broker; a persistent one ends in the DLQ."""

import json

from gegenstrom_contracts import topics
from gegenstrom_contracts.intake import EmployeeInputSubmitted
from gegenstrom_runtime.service import Consumes, ServiceSpec
from support.factories import input_event
from support.kafka_io import header, produce_envelopes, read_until, wait_group_caught_up


def consuming(handler):
    def spec(settings):
        return ServiceSpec(
            settings=settings,
            consumes=lambda infra: [
                Consumes(topics.EMPLOYEE_INPUT, [EmployeeInputSubmitted], handler)
            ],
        )

    return spec


async def test_transient_failures_are_retried_until_they_pass(running_app, namespace):
    attempts: dict[str, int] = {}

    async def flaky(envelope):
        employee = envelope.data.employee_id
        attempts[employee] = attempts.get(employee, 0) + 1
        if employee == "emp-flaky" and attempts[employee] < 3:
            raise ConnectionError("database briefly away")

    bootstrap = namespace.servers.kafka_bootstrap
    async with running_app(consuming(flaky), max_delivery_attempts=5):
        await produce_envelopes(bootstrap, namespace.topic_prefix, [input_event("emp-flaky")])
        await wait_group_caught_up(
            bootstrap,
            namespace.group("profiling", topics.EMPLOYEE_INPUT),
            namespace.topic(topics.EMPLOYEE_INPUT),
        )
    assert attempts == {"emp-flaky": 3}


async def test_persistent_failures_end_in_the_dlq_and_the_stream_goes_on(running_app, namespace):
    handled: list[str] = []

    async def broken_for_one(envelope):
        if envelope.data.input_version == 1:
            raise ConnectionError("always failing")
        handled.append(envelope.id)

    bootstrap = namespace.servers.kafka_bootstrap
    input_topic = namespace.topic(topics.EMPLOYEE_INPUT)
    # one key, so both records share a partition and the second waits behind the first
    poison, next_one = input_event("emp-1", version=1), input_event("emp-1", version=2)
    async with running_app(consuming(broken_for_one), max_delivery_attempts=2):
        await produce_envelopes(bootstrap, namespace.topic_prefix, [poison, next_one])
        await wait_group_caught_up(
            bootstrap, namespace.group("profiling", topics.EMPLOYEE_INPUT), input_topic
        )
    [dead] = await read_until(bootstrap, input_topic + ".dlq", lambda rs: len(rs) >= 1)
    assert header(dead, "dlq_reason").startswith("gave up after 2 attempts: ConnectionError")
    assert json.loads(dead.value)["input_version"] == 1
    assert handled == [next_one.id]
