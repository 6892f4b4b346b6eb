"""The ceiling: a "null pipeline" with the real one's hops, topics (names of its own),
message sizes and MongoDB writes per message, but no domain logic.

Stage 0 stands for intake: it writes each input, its version and an outbox entry, and
publishes. Stages 1-3 stand for profiling, training-match and notification: per batch
from ``getmany`` one transaction with a dedupe marker, a state document and an outbox
entry per message, then one produce, one outbox update and one offset commit. Each
stage is a process of its own, as the services are:

    python -m pipeline.null STAGE RUN EXPECTED SIZES   (started by the benchmark)
"""

import asyncio
import json
import sys
import uuid
from datetime import UTC, datetime

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from pymongo import AsyncMongoClient, ReplaceOne
from pymongo.errors import OperationFailure

BATCH = 500
TRANSACTION_ATTEMPTS = 5  # as the services' consumers retry a failed batch
TYPES = ("input-submitted", "profile-updated", "learning-plan-updated", "notification-created")
PLAN_TYPE = "org.gegenstrom.training-match.learning-plan-updated.v1"


def topics(run: str) -> tuple[str, str, str, str]:
    return tuple(f"{run}.null.{name}" for name in TYPES)  # type: ignore[return-value]


def _message(stage: int, employee: str, size: int, correlation: str | None) -> tuple:
    """Key, body and CloudEvents headers of the stage's outgoing event."""
    event_id = str(uuid.uuid4())
    body = {"employee_id": employee, "recipient_id": employee, "pad": ""}
    if stage == 3:
        body["about_event_type"] = PLAN_TYPE
    body["pad"] = "x" * max(0, size - len(json.dumps(body)))
    headers = {
        "ce_id": event_id,
        "ce_type": f"bench.null.{TYPES[stage]}",
        "ce_time": datetime.now(UTC).isoformat(),
        "ce_correlationid": correlation or event_id,
    }
    return employee.encode(), json.dumps(body).encode(), headers


class Stage:
    def __init__(self, stage: int, run: str, bootstrap: str, mongo: str, size: int) -> None:
        self.stage, self.run, self.size = stage, run, size
        self.out = topics(run)[stage]
        self.client: AsyncMongoClient = AsyncMongoClient(mongo)
        self.db = self.client[f"{run}_null{stage}"]
        self.producer = AIOKafkaProducer(bootstrap_servers=bootstrap, linger_ms=5, acks="all")

    async def write_and_publish(self, inputs: list[tuple[str, str | None, str | None]]) -> None:
        """One transaction for the batch, then one produce and one outbox update."""
        messages = [_message(self.stage, emp, self.size, corr) for emp, corr, _ in inputs]
        outbox = [{"_id": h["ce_id"], "topic": self.out, "key": k, "value": v, "headers": h,
                   "published_at": None} for k, v, h in messages]  # fmt: skip

        async def work(session) -> None:
            if self.stage == 0:
                await self._writes_of_intake(messages, session)
            else:
                await self._writes_of_consumer(inputs, session)
            await self.db["outbox"].insert_many(outbox, session=session)

        for attempt in range(1, TRANSACTION_ATTEMPTS + 1):
            try:
                async with self.client.start_session() as session:
                    await session.with_transaction(work)
                break
            except OperationFailure:  # SecantusDB reports some write conflicts as internal
                if attempt == TRANSACTION_ATTEMPTS:
                    raise
        sent = [await self.producer.send(self.out, v, key=k, headers=_encoded(h))
                for k, v, h in messages]  # fmt: skip
        await asyncio.gather(*sent)
        await self.db["outbox"].update_many(
            {"_id": {"$in": [d["_id"] for d in outbox]}},
            {"$set": {"published_at": datetime.now(UTC)}},
        )

    async def _writes_of_intake(self, messages: list[tuple], session) -> None:
        docs = [{"_id": k.decode(), "version": 1, "content": v} for k, v, _ in messages]
        await self.db["inputs"].bulk_write(
            [ReplaceOne({"_id": d["_id"]}, d, upsert=True) for d in docs], session=session
        )
        versions = [d | {"_id": f"{d['_id']}@1"} for d in docs]
        await self.db["input_versions"].insert_many(versions, session=session)

    async def _writes_of_consumer(self, inputs: list[tuple], session) -> None:
        now = datetime.now(UTC)
        markers = [{"_id": event_id, "at": now} for _, _, event_id in inputs]
        await self.db["processed_events"].insert_many(markers, session=session)
        state = [ReplaceOne({"_id": emp}, {"_id": emp, "at": now, "pad": "x" * self.size},
                            upsert=True) for emp, _, _ in inputs]  # fmt: skip
        await self.db["state"].bulk_write(state, ordered=False, session=session)


def _encoded(headers: dict[str, str]) -> list[tuple[str, bytes]]:
    return [(k, v.encode()) for k, v in headers.items()]


async def source(stage: Stage, expected: int) -> None:
    """Stage 0: the inputs, in batches, as intake's bulk endpoint stores them."""
    for start in range(0, expected, BATCH):
        batch = [(f"emp-{i:07d}", None, None) for i in range(start, min(expected, start + BATCH))]
        await stage.write_and_publish(batch)


async def relay(stage: Stage, bootstrap: str, expected: int) -> None:
    """Stages 1-3: consume the previous hop in batches until every message went through."""
    consumer = AIOKafkaConsumer(
        topics(stage.run)[stage.stage - 1], bootstrap_servers=bootstrap,
        group_id=f"{stage.run}.null{stage.stage}", auto_offset_reset="earliest",
        enable_auto_commit=False, max_partition_fetch_bytes=4 * 2**20,
    )  # fmt: skip
    await consumer.start()
    while not consumer.assignment():  # joined the group: the source may start
        await consumer.getmany(timeout_ms=100)
    print(f"stage {stage.stage} ready", flush=True)
    done = 0
    try:
        while done < expected:
            batches = await consumer.getmany(timeout_ms=200, max_records=BATCH)
            records = [r for rs in batches.values() for r in rs]
            if records:
                await stage.write_and_publish([_incoming(r) for r in records])
                await consumer.commit()
                done += len(records)
    finally:
        await consumer.stop()


def _incoming(record) -> tuple[str, str | None, str | None]:
    headers = {k: v.decode() for k, v in record.headers}
    return record.key.decode(), headers.get("ce_correlationid"), headers["ce_id"]


async def main(stage_no: int, run: str, bootstrap: str, mongo: str, expected: int, size: int):
    stage = Stage(stage_no, run, bootstrap, mongo, size)
    await stage.producer.start()
    try:
        if stage_no == 0:
            await source(stage, expected)
        else:
            await relay(stage, bootstrap, expected)
        await asyncio.sleep(3600)  # the benchmark reads CPU time and memory, then stops it
    finally:
        await stage.producer.stop()
        await stage.client.close()


if __name__ == "__main__":
    stage_arg, run_arg, bootstrap_arg, mongo_arg, expected_arg, size_arg = sys.argv[1:7]
    asyncio.run(main(int(stage_arg), run_arg, bootstrap_arg, mongo_arg, int(expected_arg),
                     int(size_arg)))  # fmt: skip
