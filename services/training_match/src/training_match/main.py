"""Composition root of training-match: ``python -m training_match``."""

from functools import partial

from fastapi import FastAPI

from gegenstrom_contracts import topics
from gegenstrom_contracts.privacy import EmployeeErased, WorksAgreementChanged
from gegenstrom_contracts.profiling import CompetenceProfileUpdated
from gegenstrom_contracts.rollouts import RolloutPublished
from gegenstrom_runtime.privacy import Clock, WorksAgreement, system_clock
from gegenstrom_runtime.service import (
    GAUGES_SHARE,
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
from training_match.privacy import on_erased, on_rollout
from training_match.retention import enforce_retention
from training_match.settings import TrainingMatchSettings


def consumers(
    infra: Infrastructure, settings: TrainingMatchSettings, clock: Clock
) -> list[Consumes]:
    on_profiles = partial(handlers.on_profiles, infra, settings.mentoring_hours)
    agreement = WorksAgreement(infra.db, settings.k_threshold)
    return [
        Consumes.batched(topics.COMPETENCE_PROFILE, [CompetenceProfileUpdated], on_profiles),
        Consumes(topics.ERASURE, [EmployeeErased], partial(on_erased, infra, clock)),
        Consumes(
            topics.WORKS_AGREEMENT,
            [WorksAgreementChanged],
            partial(agreement.on_changed, infra.uow),
        ),
        Consumes(topics.ROLLOUT, [RolloutPublished], partial(on_rollout, infra)),
    ]


def background(infra: Infrastructure, settings: TrainingMatchSettings, clock: Clock) -> list:
    agreement = WorksAgreement(infra.db, settings.k_threshold)

    async def gauges() -> None:
        await update_gauges(infra, (await agreement.terms()).k)

    async def retention() -> None:
        await enforce_retention(infra, agreement, clock)

    loops = [
        every(settings.gauges_interval_s, gauges, "domain gauges", GAUGES_SHARE),
        every(settings.retention_interval_s, retention, "retention"),
    ]
    if settings.replan_debounce_s:
        loops.append(debounced_replanner(infra, settings.replan_debounce_s))
    return loops


async def prepare(infra: Infrastructure) -> None:
    await OfferRepository(infra.db).ensure_indexes()
    await PlanRepository(infra.db).ensure_indexes()


def create_app(
    settings: TrainingMatchSettings | None = None, clock: Clock = system_clock
) -> FastAPI:
    """The app; ``clock`` drives retention and the access log's times (tests move it)."""
    settings = settings or TrainingMatchSettings()
    return create_service_app(
        ServiceSpec(
            settings=settings,
            title="gegenstrom training-match",
            publishes=[
                topics.LEARNING_PLAN,
                topics.LEARNING_ITEM,
                topics.LEARNING_GROUP,
                topics.COMPETENCE_EVIDENCE,
                topics.ERASURE_CONFIRMATION,
                topics.DATA_ACCESS,
            ],
            consumes=partial(consumers, settings=settings, clock=clock),
            routers=lambda infra: [
                offers_api.router(infra),
                plans_api.router(infra, WorksAgreement(infra.db, settings.k_threshold), clock),
            ],
            prepare=prepare,
            background=partial(background, settings=settings, clock=clock),
        )
    )
