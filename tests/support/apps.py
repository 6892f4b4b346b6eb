"""Service apps run inside the test process, on the real servers of the test's namespace."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from gegenstrom_runtime.service import Infrastructure
from support.namespace import Namespace
from support.tokens import TEST_SECRET


def infra_settings(namespace: Namespace, service: str) -> dict:
    return {
        "kafka_bootstrap": namespace.servers.kafka_bootstrap,
        "mongo_uri": namespace.servers.mongo_uri,
        "topic_prefix": namespace.topic_prefix,
        "mongo_database": namespace.database(service),
        "outbox_poll_interval_s": 0.2,
        "auth_secret": TEST_SECRET,
    }


@asynccontextmanager
async def serving(app: FastAPI) -> AsyncIterator[Infrastructure]:
    async with app.router.lifespan_context(app):
        yield app.state.infra
