"""How fast profiling turns employee inputs into profiles, on the local stack.

Pushes N employees' input events (plus a rollout and its confirmed KPI profile) into
Kafka, runs the profiling service as a process, and measures until every profile event
is on its topic. Prints the numbers; asserts nothing.

    make bench-profiling              # 10,000 employees
    uv run python bench/profiling_throughput.py --employees 2000
"""

import argparse
import asyncio
import os
import subprocess
import sys
import time
import uuid
from datetime import date

import httpx
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from gegenstrom_contracts import topics
from gegenstrom_contracts.envelope import Envelope
from gegenstrom_contracts.intake import EmployeeInputSubmitted, SelfRating
from gegenstrom_contracts.rollouts import (
    ProfileItem,
    Requirement,
    RequirementProfileConfirmed,
    RolloutPublished,
    Wave,
)

SITES = [f"site-{i:02d}" for i in range(10)]
KPI = [
    "sap-co-pa",
    "excel-functions",
    "process-exchange",
    "conversation-conflict",
    "project-basics",
]


def setup_events() -> list[Envelope]:
    rollout = RolloutPublished(
        rollout_id="bench",
        rollout_version=1,
        title="Benchmark",
        site_ids=SITES,
        waves=[Wave(site_id=s, starts_on=date(2027, 3, 1)) for s in SITES],
        requirements=[Requirement(requirement_id="kpi", title="KPI", role_ids=["analyst"])],
    )
    profile = RequirementProfileConfirmed(
        rollout_id="bench",
        requirement_id="kpi",
        profile_version=1,
        role_ids=["analyst"],
        process_ids=[],
        proposals_considered=0,
        items=[ProfileItem(competence_id=c, category="tool", target_level=3) for c in KPI],
    )
    return [Envelope(rollout, "/bench"), Envelope(profile, "/bench")]


def input_of(i: int) -> Envelope:
    event = EmployeeInputSubmitted(
        employee_id=f"emp-{i:06d}",
        rollout_id="bench",
        input_version=1,
        site_id=SITES[i % len(SITES)],
        department_id=f"dep-{i % 7}",
        role_id="analyst",
        self_ratings=[SelfRating(competence_id=c, level=(i + n) % 4) for n, c in enumerate(KPI)],
    )
    return Envelope(event, "/bench")


async def produce(bootstrap: str, prefix: str, envelopes: list[Envelope]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, linger_ms=5, acks="all")
    await producer.start()
    try:
        futures = [
            await producer.send(
                e.data.topic.qualified(prefix),
                e.body(),
                key=e.key(),
                headers=[(k, v.encode()) for k, v in e.headers().items()],
            )
            for e in envelopes
        ]
        await asyncio.gather(*futures)
    finally:
        await producer.stop()


async def profile_events(bootstrap: str, topic: str) -> int:
    from aiokafka import AIOKafkaConsumer, TopicPartition

    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    [description] = await admin.describe_topics([topic])
    await admin.close()
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap)
    await consumer.start()
    try:
        partitions = [TopicPartition(topic, p["partition"]) for p in description["partitions"]]
        return sum((await consumer.end_offsets(partitions)).values())
    finally:
        await consumer.stop()


async def wait_for_profiles(bootstrap: str, topic: str, expected: int) -> int:
    """Poll the topic's end offsets until every profile is there."""
    done = 0
    while done < expected:
        done = await profile_events(bootstrap, topic)
        await asyncio.sleep(0.5)
    return done


async def ensure(bootstrap: str, prefix: str) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    existing = set(await admin.list_topics())
    new = [
        NewTopic(t.qualified(prefix), t.partitions, 1)
        for t in topics.ALL_TOPICS
        if t.qualified(prefix) not in existing
    ]
    if new:
        await admin.create_topics(new)
    await admin.close()


def start_profiling(env: dict[str, str], port: int) -> subprocess.Popen:
    process = subprocess.Popen([sys.executable, "-m", "profiling"], env=os.environ | env)
    for _ in range(300):
        if _ready(f"http://127.0.0.1:{port}/readyz"):
            return process
        time.sleep(0.1)
    raise SystemExit("profiling did not become ready")


def _ready(url: str) -> bool:
    try:
        return httpx.get(url, timeout=1).status_code == 200
    except httpx.TransportError:
        return False


async def main(employees: int) -> None:
    bootstrap = os.environ.get("KAFKA_BOOTSTRAP", "127.0.0.1:9092")
    mongo = os.environ.get("MONGO_URI", "mongodb://127.0.0.1:27017")
    run = f"bench{uuid.uuid4().hex[:6]}"
    prefix, port = f"{run}.", 8092
    env = {
        "PROFILING_KAFKA_BOOTSTRAP": bootstrap,
        "PROFILING_MONGO_URI": mongo,
        "PROFILING_TOPIC_PREFIX": prefix,
        "PROFILING_MONGO_DATABASE": f"{run}_profiling",
        "PROFILING_HTTP_PORT": str(port),
        "PROFILING_OUTBOX_POLL_INTERVAL_S": "0.2",
    }
    await ensure(bootstrap, prefix)
    inputs = [input_of(i) for i in range(employees)]
    await produce(bootstrap, prefix, setup_events())
    process = start_profiling(env, port)
    try:
        started = time.perf_counter()
        await produce(bootstrap, prefix, inputs)
        produced = time.perf_counter() - started
        out = topics.COMPETENCE_PROFILE.qualified(prefix)
        done = await wait_for_profiles(bootstrap, out, employees)
        elapsed = time.perf_counter() - started
    finally:
        process.terminate()
        process.wait(60)
    print(f"employees            {employees}")
    print(f"inputs produced in   {produced:.1f} s")
    print(f"profiles published   {done} in {elapsed:.1f} s")
    print(f"throughput           {employees / elapsed:.0f} employees/s")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--employees", type=int, default=10_000)
    asyncio.run(main(parser.parse_args().employees))
