from collections.abc import Callable, Iterator

import pytest

from support.namespace import Namespace
from support.processes import ServiceProcess


@pytest.fixture
def start_service(namespace: Namespace) -> Iterator[Callable[..., ServiceProcess]]:
    """Start services in the test's namespace; whatever is still running is stopped after."""
    started: list[ServiceProcess] = []

    def start(service: str, **settings: str) -> ServiceProcess:
        process = ServiceProcess(service, namespace, **settings).start()
        started.append(process)
        return process

    yield start
    for process in started:
        process.stop()
