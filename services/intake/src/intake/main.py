"""Composition root of intake: ``python -m intake``."""

from fastapi import FastAPI

from gegenstrom_contracts import topics
from gegenstrom_runtime.service import Infrastructure, ServiceSpec, create_service_app, every
from intake import api
from intake.catalog import api as catalog_api
from intake.catalog.repository import CatalogRepository
from intake.errors import Rejected, rejected_as_4xx
from intake.gauges import update_gauges
from intake.org import api as org_api
from intake.org.repository import OrgRepository
from intake.rollouts import api as rollouts_api
from intake.settings import IntakeSettings


async def prepare(infra: Infrastructure) -> None:
    await OrgRepository(infra.db).ensure_indexes()
    await CatalogRepository(infra.db).ensure_indexes()


def create_app(settings: IntakeSettings | None = None) -> FastAPI:
    settings = settings or IntakeSettings()
    interval = settings.gauges_interval_s
    app = create_service_app(
        ServiceSpec(
            settings=settings,
            title="gegenstrom intake",
            publishes=[
                topics.EMPLOYEE_INPUT,
                topics.EMPLOYEE,
                topics.ORG_STRUCTURE,
                topics.ROLLOUT,
                topics.REQUIREMENT_PROFILE,
                topics.IDEA,
            ],
            routers=lambda infra: [
                api.router(infra),
                org_api.router(infra),
                catalog_api.router(infra),
                rollouts_api.router(infra),
            ],
            prepare=prepare,
            background=lambda infra: [
                every(interval, lambda: update_gauges(infra), "domain gauges")
            ],
        )
    )
    app.add_exception_handler(Rejected, rejected_as_4xx)
    return app
