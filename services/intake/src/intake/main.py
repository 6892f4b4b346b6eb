"""Composition root of intake: ``python -m intake``."""

from fastapi import FastAPI

from gegenstrom_contracts import topics
from gegenstrom_runtime.service import ServiceSpec, create_service_app
from intake import api
from intake.settings import IntakeSettings


def create_app(settings: IntakeSettings | None = None) -> FastAPI:
    return create_service_app(
        ServiceSpec(
            settings=settings or IntakeSettings(),
            title="gegenstrom intake",
            publishes=[topics.EMPLOYEE_INPUT],
            routers=lambda infra: [api.router(infra)],
        )
    )
