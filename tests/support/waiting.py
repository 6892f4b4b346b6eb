"""Synchronise on state, never on sleeps: poll a count until it is what we wait for."""

import asyncio
import time
from collections.abc import Awaitable, Callable

from pymongo.asynchronous.database import AsyncDatabase

WAIT_S = 60.0


async def count_reaches(
    count: Callable[[], Awaitable[int]], expected: int, *, at_least: bool = False
) -> int:
    deadline = time.monotonic() + WAIT_S
    while True:
        value = await count()
        if value == expected or (at_least and value >= expected):
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {WAIT_S}s for {expected}, last saw {value}")
        await asyncio.sleep(0.05)


async def outbox_events(db: AsyncDatabase) -> list[dict]:
    """Events still pending in a service's outbox (a document holds a transaction's)."""
    return [event async for doc in db["outbox"].find() for event in doc["events"]]


async def outbox_drained(db: AsyncDatabase) -> None:
    """Every event the service wrote has been published."""
    await count_reaches(lambda: db["outbox"].count_documents({"published_at": None}), 0)
