"""Looking for personal data where it must not be: in every MongoDB document of some
databases, and in every Kafka record of some topics (key, headers and body).

Documents are searched in their BSON bytes, records in their raw bytes and, for a JSON
body, also in its decoded text (a body may escape non-ASCII characters as ``\\u00fc``).
"""

import asyncio
import json
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from bson.codec_options import CodecOptions
from bson.raw_bson import RawBSONDocument
from pymongo import AsyncMongoClient

from gegenstrom_contracts.topics import Topic

RAW = CodecOptions(document_class=RawBSONDocument)
Offsets = dict[TopicPartition, int]


# --- MongoDB ------------------------------------------------------------------------------


async def documents_mentioning(mongo_uri: str, databases: Iterable[str], needle: str) -> list[str]:
    """``database.collection/_id`` of every document whose BSON holds ``needle``'s bytes."""
    found: list[str] = []
    needle_bytes = needle.encode()
    client: AsyncMongoClient = AsyncMongoClient(mongo_uri)
    try:
        for name in databases:
            db = client.get_database(name, codec_options=RAW)
            for collection in sorted(await db.list_collection_names()):
                async for doc in db[collection].find({}):
                    if needle_bytes in doc.raw:
                        found.append(f"{name}.{collection}/{_id_of(doc)}")
    finally:
        await client.close()
    return found


async def pending_outbox_entries(mongo_uri: str, databases: Iterable[str]) -> int:
    """Events written but not yet published, over all the databases."""
    client: AsyncMongoClient = AsyncMongoClient(mongo_uri)
    try:
        return sum(
            [
                await client[name]["outbox"].count_documents({"published_at": None})
                for name in databases
            ]
        )
    finally:
        await client.close()


def _id_of(doc: RawBSONDocument) -> str:
    try:
        return str(doc["_id"])
    except KeyError:
        return "?"


# --- Kafka --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Seen:
    """One record as a test reads it."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    headers: tuple[tuple[str, bytes], ...]
    value: bytes
    timestamp: int = 0  # ms, as the producer stamped it

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key == name:
                return value.decode(errors="replace")
        return None

    @property
    def ce_type(self) -> str | None:
        return self.header("ce_type")

    def body(self) -> object:
        """The JSON body, or None if the body is not JSON."""
        try:
            return json.loads(self.value)
        except ValueError:
            return None

    def texts(self) -> Iterator[bytes]:
        """Every byte string a reader of the record sees: key, header names and values,
        the body raw and, if JSON, decoded (non-ASCII unescaped)."""
        if self.key:
            yield self.key
        for name, value in self.headers:
            yield name.encode()
            yield value or b""
        yield self.value
        body = self.body()
        if body is not None:
            yield json.dumps(body, ensure_ascii=False).encode()

    def mentions(self, needle: str) -> bool:
        needle_bytes = needle.encode()
        return any(needle_bytes in text for text in self.texts())

    def describe(self) -> str:
        return f"{self.topic}[{self.partition}]@{self.offset} {self.ce_type}"


async def topics_with_prefix(bootstrap: str, prefix: str) -> list[str]:
    """Every topic of a namespace on the broker: the contract's topics and their DLQs."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        names = await admin.list_topics()
    finally:
        await admin.close()
    return sorted(n for n in names if n.startswith(prefix))


async def end_offsets(bootstrap: str, topics: Iterable[str]) -> Offsets:
    """The end offset of every partition of the topics, now."""
    topics = list(topics)
    if not topics:
        return {}
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        described = await admin.describe_topics(topics)
    finally:
        await admin.close()
    partitions = [
        TopicPartition(d["topic"], p["partition"]) for d in described for p in d["partitions"]
    ]
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        return dict(await consumer.end_offsets(partitions))
    finally:
        await consumer.stop()


async def read_records(
    bootstrap: str, topics: Iterable[str], from_offsets: Offsets | None = None
) -> list[Seen]:
    """Every record of the topics from ``from_offsets`` (the beginning where a partition is
    not given) up to the end offsets at the time of the call."""
    ends = await end_offsets(bootstrap, topics)
    starts = {tp: (from_offsets or {}).get(tp, 0) for tp in ends}
    todo = {tp for tp, end in ends.items() if end > starts[tp]}
    if not todo:
        return []
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    seen: list[Seen] = []
    deadline = time.monotonic() + 60
    try:
        consumer.assign(sorted(todo))
        for tp in todo:
            consumer.seek(tp, starts[tp])
        while todo:
            if time.monotonic() > deadline:
                raise AssertionError(f"could not read up to the end of {sorted(todo)}")
            batches = await consumer.getmany(timeout_ms=200)
            for tp, records in batches.items():
                seen.extend(
                    Seen(
                        r.topic,
                        r.partition,
                        r.offset,
                        r.key,
                        tuple(r.headers),
                        r.value or b"",
                        r.timestamp,
                    )
                    for r in records
                    if r.offset < ends[tp]
                )
            for tp in list(todo):
                if await consumer.position(tp) >= ends[tp]:
                    todo.discard(tp)
    finally:
        await consumer.stop()
    return sorted(seen, key=lambda s: (s.topic, s.partition, s.offset))


async def records_mentioning(
    bootstrap: str, topics: Iterable[str], needle: str, from_offsets: Offsets | None = None
) -> list[Seen]:
    """The records of the topics (from the offsets on) that mention ``needle`` anywhere."""
    return [r for r in await read_records(bootstrap, topics, from_offsets) if r.mentions(needle)]


def json_keys(value: object) -> Iterator[str]:
    """Every key of every object in a JSON value, at any depth."""
    if isinstance(value, dict):
        for key, inner in value.items():
            yield key
            yield from json_keys(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from json_keys(inner)


def json_scalars(value: object) -> Iterator[str]:
    """Every string, number or boolean of a JSON value, as text."""
    if isinstance(value, dict):
        for inner in value.values():
            yield from json_scalars(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from json_scalars(inner)
    elif value is not None:
        yield str(value)


# --- Waiting until nothing moves ----------------------------------------------------------


async def lagging_groups(bootstrap: str, prefix: str, topics: Iterable[Topic]) -> list[str]:
    """The consumer groups of the namespace that have not committed everything on their
    topic yet (a group is ``<prefix><service>.<topic name>``)."""
    names = {t.name: t.qualified(prefix) for t in topics}
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        groups = {}
        for group, *_ in await admin.list_consumer_groups():
            topic = next((q for n, q in names.items() if group.endswith(f".{n}")), None)
            if group.startswith(prefix) and topic is not None:
                groups[group] = topic
        ends = await end_offsets(bootstrap, sorted(set(groups.values())))
        lagging: list[str] = []
        for group, topic in sorted(groups.items()):
            committed = {
                tp: meta.offset
                for tp, meta in (await admin.list_consumer_group_offsets(group)).items()
                if tp.topic == topic
            }
            behind = {
                tp.partition: end
                for tp, end in ends.items()
                if tp.topic == topic and committed.get(tp, 0) < end
            }
            if behind:
                lagging.append(f"{group} behind the ends {behind}")
    finally:
        await admin.close()
    return lagging


async def wait_settled(
    bootstrap: str,
    prefix: str,
    topics: Iterable[Topic],
    mongo_uri: str,
    databases: Iterable[str],
    timeout_s: float = 120,
) -> None:
    """Wait until every outbox is empty and every consumer group of the namespace has
    committed every record, twice in a row (a handler may publish what the next reads)."""
    topics, databases = list(topics), list(databases)
    deadline = time.monotonic() + timeout_s
    quiet = 0
    while quiet < 2:
        pending = await pending_outbox_entries(mongo_uri, databases)
        lagging = await lagging_groups(bootstrap, prefix, topics)
        quiet = quiet + 1 if not pending and not lagging else 0
        if time.monotonic() > deadline:
            raise AssertionError(f"not settled in {timeout_s}s: outbox {pending}, {lagging}")
        await asyncio.sleep(0.3)
