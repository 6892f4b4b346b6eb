from collections.abc import AsyncIterator, Callable

import httpx
import pytest

from gegenstrom_runtime.service import Infrastructure, ServiceSpec, create_service_app
from intake.main import create_app as create_intake_app
from intake.settings import IntakeSettings
from profiling.settings import ProfilingSettings
from support.apps import infra_settings, serving
from support.namespace import Namespace


def settings_for(namespace: Namespace, **overrides) -> ProfilingSettings:
    """Settings of a service in the test's namespace (profiling's class, any spec)."""
    return ProfilingSettings(**infra_settings(namespace, "profiling") | overrides)


@pytest.fixture
def running_app(namespace: Namespace) -> Callable:
    """Run a service app in this process, lifespan and all, for the ``async with`` body."""

    def run(spec_of: Callable[[ProfilingSettings], ServiceSpec], **overrides):
        return serving(create_service_app(spec_of(settings_for(namespace, **overrides))))

    return run


@pytest.fixture
async def intake(namespace: Namespace) -> AsyncIterator[tuple[httpx.AsyncClient, Infrastructure]]:
    """The intake app in this process on the real servers, and an HTTP client for it."""
    app = create_intake_app(IntakeSettings(**infra_settings(namespace, "intake")))
    async with serving(app) as infra:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://intake") as client:
            yield client, infra
