"""Composition root of training-match: ``python -m training_match``."""

from functools import partial

from fastapi import FastAPI

from gegenstrom_contracts import topics
from gegenstrom_contracts.profiling import CompetenceProfileUpdated
from gegenstrom_runtime.service import (
    Consumes,
    Infrastructure,
    ServiceSpec,
    create_service_app,
    every,
)
from training_match import handlers
from training_match.gauges import update_gauges
from training_match.offers import api as offers_api
from training_match.offers.repository import OfferRepository
from training_match.plans import api as plans_api
from training_match.plans.replanning import debounced_replanner
from training_match.plans.repository import PlanRepository
from training_match.settings import TrainingMatchSettings


def create_app(settings: TrainingMatchSettings | None = None) -> FastAPI:
    settings = settings or TrainingMatchSettings()

    def consumers(infra: Infrastructure) -> list[Consumes]:
        on_profile = partial(handlers.on_profile, infra, settings.mentoring_hours)
        return [Consumes(topics.COMPETENCE_PROFILE, [CompetenceProfileUpdated], on_profile)]

    def background(infra: Infrastructure) -> list:
        gauges = every(
            settings.gauges_interval_s,
            lambda: update_gauges(infra, settings.k_threshold),
            "domain gauges",
        )
        if not settings.replan_debounce_s:
            return [gauges]
        return [gauges, debounced_replanner(infra, settings.replan_debounce_s)]

    async def prepare(infra: Infrastructure) -> None:
        await OfferRepository(infra.db).ensure_indexes()
        await PlanRepository(infra.db).ensure_indexes()

    return create_service_app(
        ServiceSpec(
            settings=settings,
            title="gegenstrom training-match",
            publishes=[
                topics.LEARNING_PLAN,
                topics.LEARNING_ITEM,
                topics.LEARNING_GROUP,
                topics.COMPETENCE_EVIDENCE,
            ],
            consumes=consumers,
            routers=lambda infra: [
                offers_api.router(infra),
                plans_api.router(infra, settings.k_threshold),
            ],
            prepare=prepare,
            background=background,
        )
    )
