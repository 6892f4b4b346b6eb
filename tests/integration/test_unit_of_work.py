"""Transactions, dedupe markers, versions and the outbox on the real MongoDB and Kafka."""

import json

import pytest

from gegenstrom_contracts import topics
from gegenstrom_runtime.service import ServiceSpec
from gegenstrom_runtime.unit_of_work import AlreadyProcessed, Transaction
from gegenstrom_runtime.versioned import VersionedStore
from support.factories import input_event
from support.kafka_io import header, read_until
from support.waiting import outbox_drained


def spec(settings):
    return ServiceSpec(settings=settings, publishes=[topics.EMPLOYEE_INPUT])


async def test_committed_events_are_published_in_write_order(running_app, namespace):
    events = [input_event("emp-order", version=v) for v in (1, 2, 3)]
    async with running_app(spec) as infra:
        for event in events:

            async def work(tx: Transaction, event=event) -> None:
                tx.publish(event)

            await infra.uow.commit(work)
        await outbox_drained(infra.db)

    records = await read_until(
        namespace.servers.kafka_bootstrap,
        namespace.topic(topics.EMPLOYEE_INPUT),
        lambda rs: len(rs) >= 3,
    )
    assert [header(r, "ce_id") for r in records] == [e.id for e in events]
    assert [json.loads(r.value)["input_version"] for r in records] == [1, 2, 3]


async def test_failed_work_leaves_nothing_half_written(running_app):
    async with running_app(spec) as infra:

        async def work(tx: Transaction) -> None:
            await infra.db["state"].insert_one({"_id": "half"}, session=tx.session)
            tx.publish(input_event("emp-x"))
            raise RuntimeError("boom after the first write")

        with pytest.raises(RuntimeError):
            await infra.uow.commit(work, event_id="evt-1")
        assert await infra.db["state"].count_documents({}) == 0
        assert await infra.db["outbox"].count_documents({}) == 0
        assert await infra.db["processed_events"].count_documents({}) == 0


async def test_after_commit_actions_run_only_when_the_transaction_committed(running_app):
    async with running_app(spec) as infra:
        ran: list[str] = []

        async def work(tx: Transaction, name: str, fail: bool = False) -> None:
            await infra.db["state"].insert_one({"_id": name}, session=tx.session)
            tx.after_commit(lambda: ran.append(name))
            if fail:
                raise RuntimeError("aborted after the write")

        await infra.uow.commit(lambda tx: work(tx, "alone"))
        with pytest.raises(RuntimeError):
            await infra.uow.commit(lambda tx: work(tx, "aborted", fail=True))

        async def batch() -> None:  # use cases inside a consumer's batch join its transaction
            await infra.uow.commit(lambda tx: work(tx, "first of batch"))
            assert ran == ["alone"]  # not before the batch's transaction commits
            await infra.uow.commit(lambda tx: work(tx, "second of batch"))

        await infra.uow.commit_batch(batch, [])
        assert ran == ["alone", "first of batch", "second of batch"]
        assert await infra.db["state"].distinct("_id") == sorted(set(ran))


async def test_the_same_event_id_commits_once(running_app):
    async with running_app(spec) as infra:
        calls = []

        async def work(tx: Transaction) -> None:
            calls.append(1)
            await infra.db["state"].insert_one({"n": len(calls)}, session=tx.session)

        await infra.uow.commit(work, event_id="evt-1")
        with pytest.raises(AlreadyProcessed):
            await infra.uow.commit(work, event_id="evt-1")
        assert await infra.db["state"].count_documents({}) == 1


async def test_versions_grow_only_on_real_change_and_old_ones_stay_readable(running_app):
    async with running_app(spec) as infra:
        store = VersionedStore(infra.db["things"])

        async def save(content, source_version=None):
            async def work(tx: Transaction):
                return await store.save("k", content, tx.session, source_version=source_version)

            return await infra.uow.commit(work)

        assert await save({"a": 1}, 1) == 1
        assert await save({"a": 1}, 2) is None  # same content, newer source
        assert await save({"a": 2}, 1) is None  # older than the source already applied
        assert await save({"a": 2}, 2) == 2  # the same source, derived anew (rules changed)
        assert await save({"a": 2}, 3) is None
        assert await save({"a": 3}) == 3  # a change of its own keeps the source
        history = await infra.db["things_versions"].find({"key": "k"}).sort("version").to_list()
        assert [(h["version"], h["content"]) for h in history] == [
            (1, {"a": 1}),
            (2, {"a": 2}),
            (3, {"a": 3}),
        ]
        assert (await store.get("k"))["source_version"] == 3
