"""Training-match's bulk writes on real MongoDB: groups saved at once still guarded by their
versions, and offers stored and retired at once with the same outcomes as one by one."""

import pytest

from gegenstrom_contracts.training_match import ItemKind
from support.apps import infra_settings, serving
from training_match.engine import Placement
from training_match.main import create_app
from training_match.offers.repository import OfferRepository
from training_match.plans.groups import GroupBook, GroupChanged
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
    await infra.uow.commit(lambda tx: book.save(infra.db, tx.session))


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
