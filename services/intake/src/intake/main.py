"""Composition root of intake: ``python -m intake``."""

from fastapi import FastAPI

from gegenstrom_contracts import topics
from gegenstrom_runtime.privacy import Clock, system_clock
from gegenstrom_runtime.service import (
    GAUGES_SHARE,
    Infrastructure,
    ServiceSpec,
    create_service_app,
    every,
)
from intake import api, bulk
from intake.catalog import api as catalog_api
from intake.catalog.repository import CatalogRepository
from intake.errors import Rejected, rejected_as_4xx
from intake.gauges import update_gauges
from intake.org import api as org_api
from intake.org.repository import OrgRepository
from intake.privacy import api as privacy_api
from intake.privacy import wiring as privacy
from intake.privacy.context import Privacy
from intake.rollouts import api as rollouts_api
from intake.settings import IntakeSettings


async def prepare(infra: Infrastructure) -> None:
    await OrgRepository(infra.db).ensure_indexes()
    await CatalogRepository(infra.db).ensure_indexes()
    await privacy.prepare(infra)


def create_app(settings: IntakeSettings | None = None, clock: Clock = system_clock) -> FastAPI:
    """The intake app; ``clock`` is what retention and the privacy logs read as now."""
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
                *privacy.PUBLISHES,
            ],
            consumes=privacy.consumers,
            routers=lambda infra: [
                api.router(infra, Privacy(infra, clock)),
                bulk.router(infra),
                org_api.router(infra, Privacy(infra, clock)),
                catalog_api.router(infra),
                rollouts_api.router(infra, Privacy(infra, clock)),
                privacy_api.router(Privacy(infra, clock)),
            ],
            prepare=prepare,
            background=lambda infra: [
                every(interval, lambda: update_gauges(infra), "domain gauges", GAUGES_SHARE),
                privacy.retention_job(Privacy(infra, clock), settings.retention_interval_s),
            ],
        )
    )
    app.add_exception_handler(Rejected, rejected_as_4xx)
    return app
