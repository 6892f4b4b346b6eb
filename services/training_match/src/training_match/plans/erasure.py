"""Erasing an employee from training-match, in the erasure's one transaction.

As a learner: their learner records, plans with every version and their places go (a seat
or a mentor's capacity is free again). As a mentor: their mentoring offers and groups go,
and each mentee whose plan held them is re-planned without them, publishing a new plan
version. As a trainer: HR's offers they host are withdrawn. Whatever else mentions them
(offers considered, reasons, exclusions, older plan versions) is scrubbed. Groups hold
employees only as members. Events about others not yet published that name them are dropped
(a mentee's re-planned version replaces their plan's; a cohort's formation goes unannounced).
"""

import re

from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from gegenstrom_contracts.envelope import Envelope
from gegenstrom_runtime.service import Infrastructure
from gegenstrom_runtime.unit_of_work import Transaction
from training_match.offers.repository import OfferRepository
from training_match.plans.groups import GroupBook, GroupCache
from training_match.plans.planning import Emitter, Planner
from training_match.plans.scrub import in_bytes, scrub

FINISHED = frozenset({"completed", "confirmed"})


async def erase_employee(
    infra: Infrastructure, tx: Transaction, cause: Envelope | None, employee_id: str
) -> None:
    """Everything above; ``cause`` (the erasure) derives the ids of the re-planned events."""
    db, s = infra.db, tx.session
    await _erase_learner(db, tx, employee_id)
    hosted = await _erase_host(db, tx, employee_id)
    mentees = await _scrub_plans(db, s, employee_id, hosted)
    planner, emitter = Planner(infra), Emitter(tx, cause)
    for rollout_id, mentee in sorted(mentees):
        await planner.plan_learner(emitter, rollout_id, mentee)
    await infra.uow.outbox.purge_mentioning(in_bytes(employee_id), s)  # others' events


async def _erase_learner(db: AsyncDatabase, tx: Transaction, employee_id: str) -> None:
    """Their learner records, plans, plan versions and places."""
    s = tx.session
    own = {"_id": {"$regex": f":{re.escape(employee_id)}$"}}
    learner = {"employee_id": employee_id}
    keys = {d["_id"] async for d in db["learners"].find(learner, {"_id": 1}, session=s)}
    keys |= {d["_id"] async for d in db["learning_plans"].find(own, {"_id": 1}, session=s)}
    book = await GroupBook.holding(db, keys, s)
    book.leave(keys)
    await book.save(db, tx)
    await db["learners"].delete_many(learner, session=s)
    await db["learning_plans"].delete_many({"_id": {"$in": sorted(keys)}}, session=s)
    await db["learning_plans_versions"].delete_many({"key": {"$in": sorted(keys)}}, session=s)


async def _erase_host(db: AsyncDatabase, tx: Transaction, employee_id: str) -> set[str]:
    """Delete their mentoring offers and groups, withdraw HR's offers they host; return
    the ids of the offers they hosted."""
    s = tx.session
    hosted = {
        d["_id"]: d.get("source")
        async for d in db["offers"].find({"trainer_id": employee_id}, {"source": 1}, session=s)
    }
    mentoring = sorted(o for o, source in hosted.items() if source == "profile")
    await db["offers"].delete_many({"_id": {"$in": mentoring}}, session=s)
    await db["groups"].delete_many({"offer_id": {"$in": mentoring}}, session=s)
    tx.after_commit(lambda: GroupCache.of(db).forget(mentoring))
    await db["offers"].update_many(
        {"trainer_id": employee_id}, {"$set": {"trainer_id": None, "active": False}}, session=s
    )
    await OfferRepository(db).mark_changed(s)
    return set(hosted)


async def _scrub_plans(
    db: AsyncDatabase, s: AsyncClientSession, employee_id: str, hosted: set[str]
) -> set[tuple[str, str]]:
    """Scrub others' plans and versions; drop their open items with the erased mentor.
    Return (rollout, employee) of each plan that lost an item and is to be re-planned."""
    query = _mentioning(employee_id, hosted)
    replan: set[tuple[str, str]] = set()
    async for doc in db["learning_plans"].find(query, session=s):
        content, dropped = _without_mentor(doc["content"], employee_id)
        await db["learning_plans"].update_one(
            {"_id": doc["_id"]}, {"$set": {"content": scrub(content, employee_id)}}, session=s
        )
        if dropped:
            rollout_id, mentee = doc["_id"].rsplit(":", 1)
            replan.add((rollout_id, mentee))
    async for doc in db["learning_plans_versions"].find(query, session=s):
        content = scrub(doc["content"], employee_id)
        await db["learning_plans_versions"].update_one(
            {"_id": doc["_id"]}, {"$set": {"content": content}}, session=s
        )
    return replan


def _mentioning(employee_id: str, hosted: set[str]) -> dict:
    offers = {"$in": sorted(hosted)}
    return {
        "$or": [
            {"content.items.host_id": employee_id},
            {"content.items.offer_id": offers},
            {"content.items.considered": offers},
            {"content.excluded": offers},
        ]
    }


def _without_mentor(content: dict, employee_id: str) -> tuple[dict, bool]:
    """The content without the items the erased mentor or trainer still had to give;
    finished ones stay (scrubbed) as the record of what was learnt."""
    items = content["items"]
    kept = [
        i
        for i in items
        if i.get("host_id") != employee_id or i["status"] in FINISHED or i["kind"] != "mentor"
    ]
    return {**content, "items": kept}, len(kept) != len(items)
