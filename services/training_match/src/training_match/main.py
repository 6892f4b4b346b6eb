"""Composition root of training-match: ``python -m training_match``."""

from functools import partial

from fastapi import FastAPI

from gegenstrom_contracts import topics
from gegenstrom_contracts.profiling import CompetenceProfileUpdated
from gegenstrom_runtime.service import Consumes, Infrastructure, ServiceSpec, create_service_app
from training_match import handlers
from training_match.settings import TrainingMatchSettings


def consumers(infra: Infrastructure) -> list[Consumes]:
    on_profile = partial(handlers.on_profile, infra)
    return [Consumes(topics.COMPETENCE_PROFILE, [CompetenceProfileUpdated], on_profile)]


def create_app(settings: TrainingMatchSettings | None = None) -> FastAPI:
    return create_service_app(
        ServiceSpec(
            settings=settings or TrainingMatchSettings(),
            title="gegenstrom training-match",
            publishes=[topics.LEARNING_PLAN],
            consumes=consumers,
        )
    )
