"""Ways of pushing the inputs into intake: one POST per employee with many in flight,
batches through the bulk endpoint, or a fixed rate over HTTP."""

import asyncio
import itertools
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import httpx

from gegenstrom_runtime.auth import Role
from pipeline.loader import HR, ISSUER

INPUT = "/v1/employee-inputs"
BULK = "/v1/employee-inputs/bulk"


@dataclass
class Driven:
    """What a driver sent, and when (wall clock, seconds since the epoch)."""

    accepted: int = 0
    failed: int = 0
    started: float = 0.0
    ended: float = 0.0

    def fail(self, response: httpx.Response) -> None:
        self.failed += 1
        if self.failed <= 3:
            print(f"  rejected {response.status_code}: {response.text[:300]}")


def _client(url: str, in_flight: int) -> httpx.AsyncClient:
    limits = httpx.Limits(max_connections=in_flight, max_keepalive_connections=in_flight)
    return httpx.AsyncClient(base_url=url, timeout=600, limits=limits)


async def _post_one(client: httpx.AsyncClient, body: dict, result: Driven) -> None:
    token = ISSUER.mint(body["employee_id"], Role.EMPLOYEE)
    response = await client.post(INPUT, json=body, headers={"Authorization": f"Bearer {token}"})
    if response.status_code in (200, 201):
        result.accepted += 1
    else:
        result.fail(response)


async def http(url: str, inputs: Iterable[dict], in_flight: int = 48) -> Driven:
    """Every input as its own POST, ``in_flight`` at a time."""
    result, source = Driven(started=time.time()), iter(inputs)

    async def worker(client: httpx.AsyncClient) -> None:
        for body in source:  # the workers share one iterator: no list of all inputs
            await _post_one(client, body, result)

    async with _client(url, in_flight) as client:
        await asyncio.gather(*(worker(client) for _ in range(in_flight)))
    result.ended = time.time()
    return result


async def bulk(url: str, inputs: Iterable[dict], batch: int = 1000, in_flight: int = 2) -> Driven:
    """Batches of ``batch`` inputs through the bulk endpoint, ``in_flight`` at a time."""
    result, batches = Driven(started=time.time()), _batched(inputs, batch)

    async def worker(client: httpx.AsyncClient) -> None:
        for forms in batches:
            response = await client.post(BULK, json=forms, headers=HR)
            if response.status_code == 200:
                result.accepted += len(forms)
            else:
                result.fail(response)

    async with _client(url, in_flight) as client:
        await asyncio.gather(*(worker(client) for _ in range(in_flight)))
    result.ended = time.time()
    return result


async def steady(url: str, inputs: Iterable[dict], rate: float, duration_s: float) -> Driven:
    """A fixed rate over HTTP for ``duration_s``; late answers never hold the next send."""
    result, pending = Driven(started=time.time()), set()
    limit = int(rate * duration_s)
    async with _client(url, 256) as client:
        start = time.monotonic()
        for n, body in enumerate(itertools.islice(inputs, limit)):
            await asyncio.sleep(max(0.0, start + n / rate - time.monotonic()))
            task = asyncio.create_task(_post_one(client, body, result))
            pending.add(task)
            task.add_done_callback(pending.discard)
        await asyncio.gather(*pending)
    result.ended = time.time()
    return result


def _batched(items: Iterable[dict], size: int) -> Iterator[list[dict]]:
    source = iter(items)
    while chunk := list(itertools.islice(source, size)):
        yield chunk
