"""Composition root of notification: ``python -m notification``."""

from functools import partial

from fastapi import FastAPI

from gegenstrom_contracts import topics
from gegenstrom_contracts.training_match import LearningPlanUpdated
from gegenstrom_runtime.service import Consumes, Infrastructure, ServiceSpec, create_service_app
from notification import api, handlers
from notification.contacts import IntakeContactDirectory
from notification.settings import NotificationSettings


def consumers(infra: Infrastructure, settings: NotificationSettings) -> list[Consumes]:
    contacts = IntakeContactDirectory(settings.intake_url, infra.tokens)
    on_plan = partial(handlers.on_learning_plan, infra, contacts)
    return [Consumes(topics.LEARNING_PLAN, [LearningPlanUpdated], on_plan)]


def create_app(settings: NotificationSettings | None = None) -> FastAPI:
    settings = settings or NotificationSettings()
    return create_service_app(
        ServiceSpec(
            settings=settings,
            title="gegenstrom notification",
            publishes=[topics.NOTIFICATION],
            consumes=partial(consumers, settings=settings),
            routers=lambda infra: [api.router(infra)],
            prepare=handlers.ensure_indexes,
        )
    )
