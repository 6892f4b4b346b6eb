"""Serialising a use case about an employee with their erasure.

The consumer drops records about erased employees, but a record it let through may still
be in its transaction while the erasure commits, and write the employee's first documents
after it (documents the erasure could not delete). So a use case that may create an
employee's documents first ``admits`` them: it writes the employee's guard document (keyed
by a keyed hash, as tombstones are) and reads whether they were erased; the erasure
``closes`` the same document. Two concurrent transactions thus conflict and one retries,
seeing the other's result. One small write-and-read per employee and transaction.

A ``scope`` gives a use case guard documents of its own (the erasure closes each scope
it names), so that use cases about one employee that run side by side, e.g. consumers of
different topics, conflict with the erasure but not with each other.
"""

import hashlib
import hmac
from collections.abc import Iterable

from pymongo import ReturnDocument, UpdateOne
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from gegenstrom_runtime.lookups import find_in


class ErasureGuard:
    def __init__(self, db: AsyncDatabase, secret: str) -> None:
        self._docs = db["erasure_guards"]
        self._secret = secret.encode()

    def _key(self, employee_id: str, scope: str = "") -> str:
        message = f"guard:{scope}:{employee_id}" if scope else f"guard:{employee_id}"
        return hmac.new(self._secret, message.encode(), hashlib.sha256).hexdigest()

    async def admits(self, session: AsyncClientSession, employee_id: str) -> bool:
        """Whether the use case may go on for the employee (they were not erased)."""
        doc = await self._docs.find_one_and_update(
            {"_id": self._key(employee_id)},
            {"$inc": {"uses": 1}},
            upsert=True,
            return_document=ReturnDocument.AFTER,
            session=session,
        )
        return not (doc or {}).get("erased", False)

    async def admitted(
        self, session: AsyncClientSession, employee_ids: Iterable[str], scope: str = ""
    ) -> set[str]:
        """``admits`` for many employees with one write and one read."""
        keys = {self._key(e, scope): e for e in set(employee_ids)}
        if not keys:
            return set()
        writes = [UpdateOne({"_id": k}, {"$inc": {"uses": 1}}, upsert=True) for k in sorted(keys)]
        await self._docs.bulk_write(writes, ordered=False, session=session)
        closed = await find_in(self._docs, "_id", keys, query={"erased": True}, session=session)
        erased = {doc["_id"] for doc in closed}
        return {e for k, e in keys.items() if k not in erased}

    async def close(
        self, session: AsyncClientSession, employee_id: str, scopes: Iterable[str] = ("",)
    ) -> None:
        """Part of the erasure: use cases about the employee from now on do nothing."""
        closing = {"$set": {"erased": True}, "$inc": {"uses": 1}}
        writes = [UpdateOne({"_id": self._key(employee_id, s)}, closing, upsert=True)
                  for s in sorted(set(scopes))]  # fmt: skip
        await self._docs.bulk_write(writes, ordered=False, session=session)
