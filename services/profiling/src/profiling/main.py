"""Composition root of profiling: ``python -m profiling``."""

from functools import partial

from fastapi import FastAPI

from gegenstrom_contracts import topics
from gegenstrom_contracts.intake import EmployeeInputSubmitted
from gegenstrom_runtime.service import Consumes, Infrastructure, ServiceSpec, create_service_app
from profiling import handlers
from profiling.settings import ProfilingSettings


def consumers(infra: Infrastructure) -> list[Consumes]:
    on_input = partial(handlers.on_employee_input, infra)
    return [Consumes(topics.EMPLOYEE_INPUT, [EmployeeInputSubmitted], on_input)]


def create_app(settings: ProfilingSettings | None = None) -> FastAPI:
    return create_service_app(
        ServiceSpec(
            settings=settings or ProfilingSettings(),
            title="gegenstrom profiling",
            publishes=[topics.COMPETENCE_PROFILE],
            consumes=consumers,
        )
    )
