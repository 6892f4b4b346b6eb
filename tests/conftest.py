"""Servers for the whole run, and a fresh namespace for each test that needs one."""

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from pymongo import AsyncMongoClient

from support.namespace import Namespace
from support.servers import Servers, running_servers

LAYERS = {"unit", "integration", "e2e"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test by the folder it lives in: unit, integration or e2e."""
    for item in items:
        layer = Path(item.fspath).parent.name
        if layer in LAYERS:
            item.add_marker(getattr(pytest.mark, layer))


@pytest.fixture(scope="session")
def servers() -> Iterator[Servers]:
    with running_servers() as running:
        yield running


@pytest.fixture
def namespace(servers: Servers) -> Namespace:
    return Namespace.fresh(servers)


@pytest.fixture
async def mongo(servers: Servers) -> AsyncIterator[AsyncMongoClient]:
    client: AsyncMongoClient = AsyncMongoClient(servers.mongo_uri, tz_aware=True)
    yield client
    await client.close()
