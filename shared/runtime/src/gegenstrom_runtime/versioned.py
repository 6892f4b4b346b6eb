"""Documents that carry a version which grows only when their content really changes.

Each version is also kept in ``<collection>_versions``, so old versions stay readable.
"""

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from pymongo import ReplaceOne, UpdateOne
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.collection import AsyncCollection

from gegenstrom_runtime.lookups import find_in


class VersionedStore:
    def __init__(self, collection: AsyncCollection) -> None:
        self._current = collection
        self._history = collection.database[f"{collection.name}_versions"]

    async def get(self, key: str, session: AsyncClientSession | None = None) -> dict | None:
        return await self._current.find_one({"_id": key}, session=session)

    async def save(
        self,
        key: str,
        content: dict[str, Any],
        session: AsyncClientSession,
        *,
        source_version: int | None = None,
    ) -> int | None:
        """Store ``content`` as the next version; return it, or None if nothing changed.

        ``source_version`` is the version of the input the content was derived from: an
        input older than the one already applied (a late record) is ignored; the same
        one again makes no new version unless the content differs. Without it, the
        content changed on its own and the source version stays as it was.
        """
        saved = await self.save_many({key: content}, session, {key: source_version})
        return saved[key]

    async def save_many(
        self,
        contents: Mapping[str, dict[str, Any]],
        session: AsyncClientSession,
        source_versions: Mapping[str, int | None] | None = None,
    ) -> dict[str, int | None]:
        """``save`` for many documents with one read and at most three writes in all."""
        sources = source_versions or {}
        found = await find_in(self._current, "_id", contents, session=session)
        current = {doc["_id"]: doc for doc in found}
        now = datetime.now(UTC)
        saved: dict[str, int | None] = {}
        replaced, touched, history = [], [], []
        for key, content in contents.items():
            doc = _next(current.get(key), content, sources.get(key), now)
            saved[key] = doc["version"] if doc and "content" in doc else None
            if doc is None:
                continue
            if "content" in doc:
                replaced.append(ReplaceOne({"_id": key}, doc, upsert=True))
                history.append({"_id": f"{key}@{doc['version']}", "key": key, **doc})
            else:
                touched.append(UpdateOne({"_id": key}, {"$set": doc}))
        if replaced or touched:
            await self._current.bulk_write([*replaced, *touched], ordered=False, session=session)
        if history:
            await self._history.insert_many(history, session=session)
        return saved


def _next(
    current: dict | None, content: dict[str, Any], source_version: int | None, now: datetime
) -> dict | None:
    """The new document for ``content``: a whole new version, only a newer source version
    (same content), or None (a late input, or nothing new at all)."""
    applied = current.get("source_version") if current else None
    if source_version is not None and applied is not None and applied > source_version:
        return None
    if source_version is None:  # a change of its own, not derived from a newer input
        source_version = applied
    if current and current["content"] == content:
        return None if applied == source_version else {"source_version": source_version}
    version = current["version"] + 1 if current else 1
    return {
        "version": version,
        "source_version": source_version,
        "content": content,
        "updated_at": now,
    }
