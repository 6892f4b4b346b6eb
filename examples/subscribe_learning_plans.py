"""Subscribe to gegenstrom's learning plans with a plain Kafka client.

Each record is a CloudEvent (Kafka binding, binary mode); the plan is its JSON body. This
program checks every plan against the published JSON Schema and prints one line per plan.
It needs only ``aiokafka``, ``cloudevents`` and ``jsonschema``:

    python examples/subscribe_learning_plans.py --bootstrap localhost:9092

It exits 1, naming the problem, on a record that breaks the contract.
"""

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any

import jsonschema
from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from cloudevents.core.bindings.kafka import KafkaMessage, from_binary_event
from cloudevents.core.exceptions import BaseCloudEventException

EVENT_TYPE = "org.gegenstrom.training-match.learning-plan-updated.v1"
TOPIC = "gegenstrom.training-match.learning-plan.v1"
SCHEMA = Path(__file__).resolve().parents[1] / "shared/contracts/schemas" / f"{EVENT_TYPE}.json"


class ContractViolation(Exception):
    """A record that is not a valid learning-plan CloudEvent."""


def arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bootstrap", default="localhost:9092", help="Kafka bootstrap servers")
    parser.add_argument("--topic", default=TOPIC, help="with the deployment's prefix, if any")
    parser.add_argument("--group", default="learning-plan-subscriber", help="consumer group id")
    parser.add_argument("--schema", type=Path, default=SCHEMA, help="the published JSON Schema")
    parser.add_argument("--max", type=int, help="stop after this many plans")
    parser.add_argument("--timeout", type=float, help="stop after this many idle seconds")
    return parser.parse_args(argv)


def plan_of(record: ConsumerRecord, schema: jsonschema.protocols.Validator) -> Any:
    """The plan a record carries, validated; None for other event types on the topic."""
    where = f"{record.topic}/{record.partition}@{record.offset}"
    message = KafkaMessage(headers=dict(record.headers), key=record.key, value=record.value)
    try:
        event = from_binary_event(message)
    except (BaseCloudEventException, ValueError) as error:  # ValueError: a bad ce_time
        raise ContractViolation(f"{where}: not a CloudEvent: {error}") from error
    if event.get_type() != EVENT_TYPE:
        return None  # a newer event type on the same topic: ignore what you do not know
    problems = [
        f"{'.'.join(map(str, e.absolute_path)) or 'body'}: {e.message}"
        for e in schema.iter_errors(event.get_data())
    ]
    if problems:
        raise ContractViolation(f"{where} ({event.get_id()}): {'; '.join(problems)}")
    return event.get_data()


def describe(plan: dict[str, Any]) -> str:
    items = len(plan["items"])
    avoided = plan["totals"]["external_cost_avoided_eur"]
    return (
        f"employee {plan['employee_id']}, plan v{plan['plan_version']}: "
        f"{items} item(s), external cost avoided {avoided:.2f} EUR"
    )


async def subscribe(args: argparse.Namespace) -> None:
    schema_document = json.loads(args.schema.read_text())
    schema = jsonschema.validators.validator_for(schema_document)(schema_document)
    consumer = AIOKafkaConsumer(
        args.topic,
        bootstrap_servers=args.bootstrap,
        group_id=args.group,
        auto_offset_reset="earliest",  # a new subscriber reads the plans from the start
        enable_auto_commit=False,  # commit only what was handled
    )
    await consumer.start()
    try:
        await handle_records(consumer, schema, args.max, args.timeout)
    finally:
        await consumer.stop()


async def handle_records(
    consumer: AIOKafkaConsumer,
    schema: jsonschema.protocols.Validator,
    limit: int | None,
    idle_timeout: float | None,
) -> None:
    plans, idle = 0, 0.0
    while limit is None or plans < limit:
        batches = await consumer.getmany(timeout_ms=500)
        idle = 0.0 if batches else idle + 0.5
        if idle_timeout is not None and idle >= idle_timeout:
            return
        for record in (r for batch in batches.values() for r in batch):
            if limit is not None and plans >= limit:
                return
            if (plan := plan_of(record, schema)) is not None:
                print(describe(plan), flush=True)
                plans += 1
            partition = TopicPartition(record.topic, record.partition)
            await consumer.commit({partition: record.offset + 1})


def main() -> None:
    try:
        asyncio.run(subscribe(arguments()))
    except ContractViolation as violation:
        sys.exit(f"contract violation: {violation}")
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
