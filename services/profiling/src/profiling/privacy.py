"""Privacy use cases of profiling: erasure on request and the works agreement in force."""

import re
from functools import partial

from pymongo.asynchronous.database import AsyncDatabase

from gegenstrom_contracts.envelope import Envelope
from gegenstrom_runtime.privacy import Clock, erase_and_confirm
from gegenstrom_runtime.service import Infrastructure
from gegenstrom_runtime.unit_of_work import Transaction


async def on_erased(infra: Infrastructure, clock: Clock, envelope: Envelope) -> None:
    await erase_and_confirm(infra, envelope, partial(erase_employee, infra.db), clock)


async def erase_employee(db: AsyncDatabase, tx: Transaction, employee_id: str) -> None:
    """Inputs, profiles with every version, evidence and the assignment of the employee;
    their id as someone's manager. Rollouts, requirement profiles and epochs hold no ids."""
    s = tx.session
    own = {"employee_id": employee_id}
    keys = {d["_id"] async for d in db["inputs"].find(own, {"_id": 1}, session=s)}
    by_key = {"_id": {"$regex": f":{re.escape(employee_id)}$"}}
    keys |= {d["_id"] async for d in db["profiles"].find(by_key, {"_id": 1}, session=s)}
    await db["profiles"].delete_many({"_id": {"$in": sorted(keys)}}, session=s)
    await db["profiles_versions"].delete_many({"key": {"$in": sorted(keys)}}, session=s)
    await db["inputs"].delete_many(own, session=s)
    await db["evidence"].delete_many(own, session=s)
    await db["employees"].delete_one({"_id": employee_id}, session=s)
    await db["employees"].update_many(
        {"manager_id": employee_id}, {"$set": {"manager_id": None}}, session=s
    )
