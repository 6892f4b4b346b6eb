"""One measured run per mode: a fresh stack (services, topic prefix, databases), the
organisation loaded, the inputs driven in, and every plan notification waited for."""

import asyncio
import os
import subprocess
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from gegenstrom_contracts import topics
from pipeline import drivers, null
from pipeline.collector import Collector
from pipeline.loader import load
from pipeline.org import Organisation
from pipeline.services import Service, start_all, stop_all

BENCH = Path(__file__).resolve().parent.parent
DEFAULT_SIZES = [1000, 1500, 3000, 400]  # bytes per hop's event, when no real run measured


@dataclass
class Result:
    mode: str
    employees: int
    seconds: float  # first input sent -> last plan notification stored
    drive_s: float  # first input sent -> last input accepted
    times: list[list[float]]  # per input: ce_time of input, profile, plan, notification
    cpu_s: dict[str, float] = field(default_factory=dict)
    peak_rss_mb: dict[str, float] = field(default_factory=dict)
    sizes: list[float] = field(default_factory=list)
    rate: float | None = None

    @property
    def throughput(self) -> float:
        return self.employees / self.seconds


def _run_id() -> str:
    return f"bench{uuid.uuid4().hex[:6]}"


def _stall_s(employees: int) -> float:
    return 120 + employees / 500


async def real(mode: str, org: Organisation, args, bootstrap: str, mongo: str) -> Result:
    run = _run_id()
    logs = Path(args.run_dir) / run
    print(f"[{mode}] run {run}: starting the services (logs in {logs})")
    services = start_all(run, bootstrap, mongo, logs)
    collector = Collector(bootstrap, tuple(t.qualified(f"{run}.") for t in HOPS))  # type: ignore[arg-type]
    try:
        print(f"[{mode}] loading {len(org.employees)} employees, rollout, profiles and offers")
        loop = asyncio.get_running_loop()

        def settle() -> None:  # the organisation's events are not part of the measure
            asyncio.run_coroutine_threadsafe(caught_up(bootstrap, f"{run}."), loop).result()

        ids = await asyncio.to_thread(load, org, services["intake"].url,
                                      services["training_match"].url, settle)  # fmt: skip
        print(f"[{mode}] waiting until the services have taken in the organisation")
        await caught_up(bootstrap, f"{run}.")
        await collector.start()
        cpu = {name: s.cpu_s() for name, s in services.items()}
        print(f"[{mode}] driving the inputs")
        driven = await _drive(mode, services["intake"].url, org.inputs(ids), args)
        print(f"[{mode}] {driven.accepted} inputs accepted in {driven.ended - driven.started:.1f} s"
              f" ({driven.failed} rejected); waiting for the notifications")  # fmt: skip
        end = await collector.wait(driven.accepted, _stall_s(driven.accepted))
        return Result(
            mode, driven.accepted, end - driven.started, driven.ended - driven.started,
            collector.complete(), {n: s.cpu_s() - cpu[n] for n, s in services.items()},
            {n: s.peak_rss_mb() for n, s in services.items()}, _sizes(collector),
            args.rate if mode == "steady" else None,
        )  # fmt: skip
    finally:
        stop_all(services)
        await collector.stop()


async def caught_up(bootstrap: str, prefix: str, poll_s: float = 1.0) -> None:
    """Wait until every consumer group of the run (``<prefix><service>.<topic>``) has
    committed up to the end of each partition of its topic."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    ends = AIOKafkaConsumer(bootstrap_servers=bootstrap)
    await admin.start()
    await ends.start()
    try:
        while True:
            if not await _lag(admin, ends, prefix):
                return
            await asyncio.sleep(poll_s)
    finally:
        await ends.stop()
        await admin.close()


async def _lag(admin: AIOKafkaAdminClient, ends: AIOKafkaConsumer, prefix: str) -> int:
    groups = [g[0] for g in await admin.list_consumer_groups() if g[0].startswith(prefix)]
    lag = 0
    for group in groups:
        topic = prefix + group.removeprefix(prefix).split(".", 1)[1]
        described = await admin.describe_topics([topic])
        partitions = [TopicPartition(topic, p["partition"]) for p in described[0]["partitions"]]
        committed = await admin.list_consumer_group_offsets(group, partitions=partitions)
        end = await ends.end_offsets(partitions)
        done = {tp: max(0, meta.offset) for tp, meta in committed.items()}
        lag += sum(end[tp] - done.get(tp, 0) for tp in partitions)
    return lag if groups else 1


HOPS = (topics.EMPLOYEE_INPUT, topics.COMPETENCE_PROFILE, topics.LEARNING_PLAN, topics.NOTIFICATION)


async def _drive(mode: str, url: str, inputs, args) -> drivers.Driven:
    if mode == "bulk":
        return await drivers.bulk(url, inputs, args.batch)
    if mode == "http":
        return await drivers.http(url, inputs, args.in_flight)
    return await drivers.steady(url, inputs, args.rate, args.duration)


def _sizes(collector: Collector) -> list[float]:
    return [s / max(1, n) for s, n in zip(collector.sizes, collector.records, strict=True)]


def _start_stages(argv: list[str], sizes: list[float]) -> dict[str, Service]:
    """The null pipeline's stages: ``python -m pipeline.null STAGE ...``; the source only
    once the three consumers have joined their groups, so start-up is not measured."""
    env = os.environ | {"PYTHONPATH": str(BENCH)}
    stages = {}
    for stage in (1, 2, 3, 0):
        command = [sys.executable, "-m", "pipeline.null", str(stage), *argv, str(int(sizes[stage]))]
        process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True)
        stages[f"stage {stage}"] = Service(f"stage {stage}", 0, process)
        if stage:
            assert process.stdout is not None
            if not process.stdout.readline().endswith("ready\n"):
                stop_all(stages)
                raise SystemExit(f"null pipeline stage {stage} did not start")
    return stages


async def ceiling(employees: int, sizes: list[float], bootstrap: str, mongo: str) -> Result:
    """The null pipeline for ``employees`` messages, measured like the real one."""
    run = _run_id()
    print(f"[null] run {run}: {employees} messages through 4 bare stages")
    collector = Collector(bootstrap, null.topics(run))
    await collector.start()
    stages = _start_stages([run, bootstrap, mongo, str(employees)], sizes)
    try:
        end = await collector.wait(employees, _stall_s(employees))
        started = min(t[0] for t in collector.times.values())  # not the processes' start-up
        return Result(
            "null", employees, end - started, 0.0, collector.complete(),
            {n: s.cpu_s() for n, s in stages.items()},
            {n: s.peak_rss_mb() for n, s in stages.items()}, _sizes(collector),
        )  # fmt: skip
    finally:
        stop_all(stages)
        await collector.stop()
