from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import pytest
from fastapi import FastAPI

from gegenstrom_runtime.service import Infrastructure, ServiceSpec, create_service_app
from profiling.settings import ProfilingSettings
from support.namespace import Namespace


def settings_for(namespace: Namespace, **overrides) -> ProfilingSettings:
    """Settings of a service in the test's namespace (profiling's class, any spec)."""
    return ProfilingSettings(
        kafka_bootstrap=namespace.servers.kafka_bootstrap,
        mongo_uri=namespace.servers.mongo_uri,
        topic_prefix=namespace.topic_prefix,
        mongo_database=namespace.database("profiling"),
        outbox_poll_interval_s=0.2,
        **overrides,
    )


@pytest.fixture
def running_app(namespace: Namespace) -> Callable:
    """Run a service app in this process, lifespan and all, for the ``async with`` body."""

    @asynccontextmanager
    async def run(
        spec_of: Callable[[ProfilingSettings], ServiceSpec], **overrides
    ) -> AsyncIterator[Infrastructure]:
        app: FastAPI = create_service_app(spec_of(settings_for(namespace, **overrides)))
        async with app.router.lifespan_context(app):
            yield app.state.infra

    return run
