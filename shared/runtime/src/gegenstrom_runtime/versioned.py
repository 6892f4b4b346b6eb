"""Documents that carry a version which grows only when their content really changes.

Each version is also kept in ``<collection>_versions``, so old versions stay readable.
"""

from datetime import UTC, datetime
from typing import Any

from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.collection import AsyncCollection


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
        current = await self.get(key, session)
        applied = current.get("source_version") if current else None
        if source_version is not None and applied is not None and applied > source_version:
            return None
        if source_version is None:  # a change of its own, not derived from a newer input
            source_version = applied
        if current and current["content"] == content:
            await self._current.update_one(
                {"_id": key}, {"$set": {"source_version": source_version}}, session=session
            )
            return None
        version = current["version"] + 1 if current else 1
        doc = {
            "version": version,
            "source_version": source_version,
            "content": content,
            "updated_at": datetime.now(UTC),
        }
        await self._current.replace_one({"_id": key}, doc, upsert=True, session=session)
        await self._history.insert_one(
            {"_id": f"{key}@{version}", "key": key, **doc}, session=session
        )
        return version
