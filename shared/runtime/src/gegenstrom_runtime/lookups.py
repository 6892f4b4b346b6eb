"""Reading the documents of many keys at once.

A batch reads its records' documents with one ``$in`` query per collection. SecantusDB
checks each candidate document against the whole ``$in`` list, so a query for n keys
costs n² comparisons in its Python: 200 keys took about twice as long as eight
queries of 25 (docs/benchmarks/pipeline.md). Chunks keep it linear; on MongoDB they cost
only a few more round trips.
"""

from collections.abc import Collection, Iterable, Iterator
from typing import Any

from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.collection import AsyncCollection

IN_CHUNK = 25


def chunks(values: Iterable[Any], size: int = IN_CHUNK) -> Iterator[list[Any]]:
    """``values`` without repeats, sorted, in lists of at most ``size``."""
    ordered = sorted(set(values))
    for start in range(0, len(ordered), size):
        yield ordered[start : start + size]


async def find_in(
    collection: AsyncCollection,
    field: str,
    values: Collection[Any],
    *,
    query: dict | None = None,
    projection: dict | None = None,
    session: AsyncClientSession | None = None,
) -> list[dict]:
    """The documents whose ``field`` is one of ``values`` (and that match ``query``)."""
    found: list[dict] = []
    for chunk in chunks(values):
        selector = {**(query or {}), field: {"$in": chunk}}
        found += await collection.find(selector, projection, session=session).to_list(None)
    return found
