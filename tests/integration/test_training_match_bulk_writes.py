"""Training-match's bulk writes on real MongoDB: groups saved at once still guarded by their
versions, and offers stored and retired at once with the same outcomes as one by one."""

import pytest

from gegenstrom_contracts.training_match import ItemKind
from support.apps import infra_settings, serving
from training_match.engine import Placement
from training_match.main import create_app
from training_match.offers.repository import OfferRepository
from training_match.plans.groups import GroupBook, GroupCache, GroupChanged
from training_match.settings import TrainingMatchSettings


@pytest.fixture
async def infra(namespace):
    settings = TrainingMatchSettings(**infra_settings(namespace, "training_match"))
    async with serving(create_app(settings)) as infra:
        yield infra


def placement(employee_id: str, group_id: str) -> Placement:
    return Placement(
        employee_id=employee_id,
        competence_id="spreadsheets",
        target_level=3,
        kind=ItemKind.INTERNAL_WORKSHOP,
        hours=8,
        cost_eur=0,
        reason="test",
        offer_id=group_id.split("#")[0],
        group_key="hamburg",
        group_id=group_id,
    )


async def load(infra, offer_ids=("ws-a", "ws-b")) -> GroupBook:
    return await infra.uow.commit(lambda tx: GroupBook.load(infra.db, offer_ids, tx.session))


async def save(infra, book: GroupBook) -> None:
    await infra.uow.commit(lambda tx: book.save(infra.db, tx))


async def test_groups_are_saved_at_once_and_a_stale_one_fails_the_whole_save(infra):
    book = await load(infra)
    book.reserve("r:e1", placement("e1", "ws-a#1"))
    book.reserve("r:e2", placement("e2", "ws-b#1"))
    await save(infra, book)
    stored = {d["_id"]: d async for d in infra.db["groups"].find()}
    assert {g: d["version"] for g, d in stored.items()} == {"ws-a#1": 1, "ws-b#1": 1}

    mine, theirs = await load(infra), await load(infra)
    theirs.reserve("r:e3", placement("e3", "ws-b#1"))
    await save(infra, theirs)

    mine.reserve("r:e4", placement("e4", "ws-a#1"))
    mine.reserve("r:e5", placement("e5", "ws-b#1"))
    mine.reserve("r:e6", placement("e6", "ws-a#2"))
    with pytest.raises(GroupChanged, match="ws-b#1"):
        await save(infra, mine)
    after = {d["_id"]: d async for d in infra.db["groups"].find()}
    assert set(after) == {"ws-a#1", "ws-b#1"}  # the transaction wrote nothing of it
    assert after["ws-a#1"] == stored["ws-a#1"]
    assert [m["member"] for m in after["ws-b#1"]["members"]] == ["r:e2", "r:e3"]

    again = await load(infra)  # the retry re-plans on the current groups
    again.reserve("r:e5", placement("e5", "ws-b#1"))
    await save(infra, again)
    assert (await infra.db["groups"].find_one({"_id": "ws-b#1"}))["version"] == 3


def members(book: GroupBook, group_id: str) -> list[str]:
    return [m["member"] for m in book._docs[group_id]["members"]]


async def test_groups_are_read_from_the_cache_until_a_write_finds_them_stale(infra):
    book = await load(infra)
    book.reserve("r:e1", placement("e1", "ws-a#1"))
    await save(infra, book)
    # Another replica adds a member; this process does not see it yet.
    await infra.db["groups"].update_one(
        {"_id": "ws-a#1"},
        {"$push": {"members": {"member": "r:e9", "group_key": "hamburg", "process_id": None}},
         "$inc": {"version": 1}},
    )  # fmt: skip
    cached = await load(infra)
    assert members(cached, "ws-a#1") == ["r:e1"]  # what this process committed

    cached.reserve("r:e2", placement("e2", "ws-a#1"))
    with pytest.raises(GroupChanged, match="ws-a#1"):
        await save(infra, cached)
    assert members(await load(infra), "ws-a#1") == ["r:e1", "r:e9"]  # read again


async def test_an_aborted_save_leaves_the_cache_as_committed(infra):
    book = await load(infra)
    book.reserve("r:e1", placement("e1", "ws-a#1"))
    await save(infra, book)

    doomed = await load(infra)
    doomed.reserve("r:e2", placement("e2", "ws-a#1"))

    async def save_then_fail(tx) -> None:
        await doomed.save(infra.db, tx)
        raise RuntimeError("aborted after the groups were written")

    with pytest.raises(RuntimeError):
        await infra.uow.commit(save_then_fail)
    assert members(await load(infra), "ws-a#1") == ["r:e1"]
    assert members(doomed, "ws-a#1") == ["r:e1", "r:e2"]  # the book's copy, not the cache's

    again = await load(infra)
    again.reserve("r:e2", placement("e2", "ws-a#1"))
    await save(infra, again)  # the cached version still matches the database
    assert (await infra.db["groups"].find_one({"_id": "ws-a#1"}))["version"] == 2


async def test_a_run_opened_elsewhere_is_a_changed_group_and_expired_offers_are_read_again(
    infra,
):
    await load(infra)  # ws-b has no groups yet, and the cache knows that
    await infra.db["groups"].insert_one(
        {"_id": "ws-b#1", "offer_id": "ws-b", "group_key": "hamburg", "members": [],
         "formed": False, "version": 1}
    )  # fmt: skip
    stale = await load(infra)
    assert "ws-b#1" not in stale._docs
    stale.reserve("r:e1", placement("e1", "ws-b#1"))
    with pytest.raises(GroupChanged, match="ws-b#1"):
        await save(infra, stale)

    assert (await load(infra))._docs["ws-b#1"]["version"] == 1  # read again after the failure

    await infra.db["groups"].update_one({"_id": "ws-b#1"}, {"$set": {"formed": True}})
    assert (await load(infra))._docs["ws-b#1"]["formed"] is False  # cached
    GroupCache.of(infra.db).ttl_s = 0
    assert (await load(infra))._docs["ws-b#1"]["formed"] is True  # expired, read again


def mentoring(employee_id: str, competence_id: str, capacity: int = 1) -> dict:
    return {
        "_id": f"mentor:{employee_id}:{competence_id}",
        "source": "profile",
        "active": True,
        "kind": "mentor",
        "competence_id": competence_id,
        "max_group": capacity,
        "trainer_id": employee_id,
    }


async def test_mentoring_offers_are_synced_and_put_at_once(infra):
    repo = OfferRepository(infra.db)

    async def sync(docs_of: dict[str, list[dict]]) -> None:
        await infra.uow.commit(lambda tx: repo.sync_mentors(docs_of, tx.session))

    async def active() -> dict[str, bool]:
        return {d["_id"]: d["active"] async for d in infra.db["offers"].find()}

    await sync({"m1": [mentoring("m1", "a"), mentoring("m1", "b")], "m2": [], "m3": []})
    await sync({"m2": [mentoring("m2", "a")]})
    assert await active() == {"mentor:m1:a": True, "mentor:m1:b": True, "mentor:m2:a": True}

    await sync({"m1": [mentoring("m1", "b", capacity=2)], "m2": [], "m3": []})
    assert await active() == {"mentor:m1:a": False, "mentor:m1:b": True, "mentor:m2:a": False}
    assert (await repo.get("mentor:m1:b"))["max_group"] == 2

    changed = await infra.uow.commit(
        lambda tx: repo.sync_mentor("m1", [mentoring("m1", "b", capacity=2)], tx.session)
    )
    assert changed is False
    changed = await infra.uow.commit(lambda tx: repo.sync_mentor("m1", [], tx.session))
    assert changed is True and (await active())["mentor:m1:b"] is False

    docs = [mentoring("m1", "b"), mentoring("m4", "c"), mentoring("m1", "a") | {"active": False}]
    outcomes = await infra.uow.commit(lambda tx: repo.put_many(docs, tx.session))
    assert outcomes == {"mentor:m1:b": "changed", "mentor:m4:c": "new", "mentor:m1:a": "unchanged"}
    assert (await repo.get_many(["mentor:m4:c", "nothing"])).keys() == {"mentor:m4:c"}


def planned(employee_id: str) -> dict:
    """A mentoring offer as planning reads it."""
    return mentoring(employee_id, "a") | {"reaches_level": 3, "hours": 10}


async def test_active_offers_are_read_again_only_after_a_change(infra):
    repo = OfferRepository(infra.db)

    async def active_ids() -> list[str]:
        return [o.offer_id for o in await infra.uow.commit(lambda tx: repo.active(tx.session))]

    await infra.uow.commit(lambda tx: repo.put_many([planned("m1"), planned("m2")], tx.session))
    assert await active_ids() == ["mentor:m1:a", "mentor:m2:a"]
    # A write that bypasses the repository replaces no token: the cache does not see it.
    await infra.db["offers"].update_one({"_id": "mentor:m1:a"}, {"$set": {"active": False}})
    assert await active_ids() == ["mentor:m1:a", "mentor:m2:a"]

    async def put_then_fail(tx) -> None:
        await repo.put_many([planned("m3")], tx.session)
        assert "mentor:m3:a" in {o.offer_id for o in await repo.active(tx.session)}
        raise RuntimeError("aborted after the offer was written")

    with pytest.raises(RuntimeError):
        await infra.uow.commit(put_then_fail)
    assert await active_ids() == ["mentor:m2:a"]  # the token differs: read again

    await infra.uow.commit(lambda tx: repo.withdraw("mentor:m2:a", tx.session))
    assert await active_ids() == []
