"""Reads the four hops' topics while the benchmark runs and keeps, per input (linked by
the ``ce_correlationid`` header, which is the input event's id), the ``ce_time`` of its
first input, profile, plan and plan notification event."""

import asyncio
import json
import math
import time
from dataclasses import dataclass, field
from datetime import datetime

from aiokafka import AIOKafkaConsumer, ConsumerRecord
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

HOPS = ("input", "profile", "plan", "notification")
PLAN_TYPE = "learning-plan-updated"


@dataclass
class Collector:
    bootstrap: str
    topics: tuple[str, str, str, str]  # input, profile, plan, notification
    times: dict[str, list[float]] = field(default_factory=dict)
    counts: list[int] = field(default_factory=lambda: [0, 0, 0, 0])
    sizes: list[int] = field(default_factory=lambda: [0, 0, 0, 0])
    records: list[int] = field(default_factory=lambda: [0, 0, 0, 0])
    _task: asyncio.Task | None = None
    _consumer: AIOKafkaConsumer | None = None

    async def start(self, partitions: int = 6) -> None:
        await ensure_topics(self.bootstrap, self.topics, partitions)
        self._consumer = AIOKafkaConsumer(
            *self.topics, bootstrap_servers=self.bootstrap, auto_offset_reset="earliest",
            enable_auto_commit=False, max_partition_fetch_bytes=4 * 2**20,
        )  # fmt: skip
        await self._consumer.start()
        self._task = asyncio.create_task(self._run(self._consumer))

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
        if self._consumer:
            await self._consumer.stop()

    async def _run(self, consumer: AIOKafkaConsumer) -> None:
        hop_of = {topic: hop for hop, topic in enumerate(self.topics)}
        while True:
            batches = await consumer.getmany(timeout_ms=500, max_records=5000)
            for tp, records in batches.items():
                for record in records:
                    self._take(hop_of[tp.topic], record)

    def _take(self, hop: int, record: ConsumerRecord) -> None:
        headers = {k: v.decode() for k, v in record.headers}
        self.records[hop] += 1
        self.sizes[hop] += len(record.value or b"")
        if hop == 3 and not _is_plan_message(record.value or b""):
            return
        chain = headers["ce_id"] if hop == 0 else headers.get("ce_correlationid")
        if chain is None:
            return
        at = datetime.fromisoformat(headers["ce_time"]).timestamp()
        times = self.times.setdefault(chain, [math.nan] * 4)
        if math.isnan(times[hop]):
            times[hop] = at
            self.counts[hop] += 1

    def done(self) -> int:
        """Inputs whose employee's plan message is there."""
        return sum(1 for t in self.times.values() if not (math.isnan(t[0]) or math.isnan(t[3])))

    def progress(self) -> str:
        return ", ".join(f"{h} {c}" for h, c in zip(HOPS, self.counts, strict=True))

    async def wait(self, expected: int, stall_s: float, say=print) -> float:
        """Until ``expected`` inputs are notified; returns the wall time of the last one."""
        last, seen, next_say = time.monotonic(), -1, 0.0
        while (done := self.done()) < expected:
            counts = sum(self.counts)
            if counts != seen:
                last, seen = time.monotonic(), counts
            if time.monotonic() - last > stall_s:
                raise TimeoutError(f"no progress for {stall_s:.0f} s: {self.progress()}")
            if time.monotonic() > next_say:
                say(f"  {done}/{expected} notified ({self.progress()})")
                next_say = time.monotonic() + 5
            await asyncio.sleep(0.5)
        return max(t[3] for t in self.times.values() if not math.isnan(t[3]))

    def complete(self) -> list[list[float]]:
        """Per input, the four times, for inputs that went all the way."""
        return [t for t in self.times.values() if not any(math.isnan(x) for x in t)]


def _is_plan_message(value: bytes) -> bool:
    """The employee's own message about their plan (not HR's approvals, not mentors')."""
    body = json.loads(value)
    about, recipient = body.get("about_event_type", ""), body.get("recipient_id", "")
    return PLAN_TYPE in about and not recipient.startswith("role-")


async def ensure_topics(bootstrap: str, names: tuple[str, ...], partitions: int) -> None:
    """Create the topics no service has created yet (a consumer needs them to start)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        missing = set(names) - set(await admin.list_topics())
        if missing:
            await admin.create_topics([NewTopic(t, partitions, 1) for t in sorted(missing)])
    finally:
        await admin.close()
