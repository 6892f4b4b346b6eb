"""Composition root of profiling: ``python -m profiling``."""

from functools import partial

from fastapi import FastAPI

from gegenstrom_contracts import topics
from gegenstrom_contracts.intake import EmployeeInputSubmitted
from gegenstrom_contracts.org import EmployeeAssignmentChanged
from gegenstrom_contracts.privacy import EmployeeErased, WorksAgreementChanged
from gegenstrom_contracts.profiling import CompetenceEvidenceRecorded
from gegenstrom_contracts.rollouts import RequirementProfileConfirmed, RolloutPublished
from gegenstrom_runtime.privacy import Clock, WorksAgreement, system_clock
from gegenstrom_runtime.service import (
    GAUGES_SHARE,
    Consumes,
    Infrastructure,
    ServiceSpec,
    create_service_app,
    every,
)
from profiling import api, handlers
from profiling.gauges import update_gauges
from profiling.privacy import on_erased
from profiling.retention import enforce_retention
from profiling.settings import ProfilingSettings
from profiling.state import ProfilingState


def consumers(infra: Infrastructure, settings: ProfilingSettings, clock: Clock) -> list[Consumes]:
    def on(topic, event_type, handler) -> Consumes:
        return Consumes(topic, [event_type], partial(handler, infra))

    agreement = WorksAgreement(infra.db, settings.k_threshold)
    return [
        Consumes.batched(
            topics.EMPLOYEE_INPUT, [EmployeeInputSubmitted], partial(handlers.on_inputs, infra)
        ),
        on(topics.ROLLOUT, RolloutPublished, handlers.on_rollout),
        on(
            topics.REQUIREMENT_PROFILE, RequirementProfileConfirmed, handlers.on_requirement_profile
        ),
        on(topics.COMPETENCE_EVIDENCE, CompetenceEvidenceRecorded, handlers.on_evidence),
        Consumes.batched(
            topics.EMPLOYEE, [EmployeeAssignmentChanged], partial(handlers.on_assignments, infra)
        ),
        Consumes(topics.ERASURE, [EmployeeErased], partial(on_erased, infra, clock)),
        Consumes(
            topics.WORKS_AGREEMENT,
            [WorksAgreementChanged],
            partial(agreement.on_changed, infra.uow),
        ),
    ]


def background(infra: Infrastructure, settings: ProfilingSettings, clock: Clock) -> list:
    agreement = WorksAgreement(infra.db, settings.k_threshold)

    async def gauges() -> None:
        await update_gauges(infra, (await agreement.terms()).k)

    async def retention() -> None:
        await enforce_retention(infra, agreement, clock)

    return [
        every(settings.gauges_interval_s, gauges, "domain gauges", GAUGES_SHARE),
        every(settings.retention_interval_s, retention, "retention"),
    ]


async def prepare(infra: Infrastructure) -> None:
    await ProfilingState(infra.db).ensure_indexes()


def create_app(settings: ProfilingSettings | None = None, clock: Clock = system_clock) -> FastAPI:
    """The app; ``clock`` drives retention and the access log's times (tests move it)."""
    settings = settings or ProfilingSettings()
    return create_service_app(
        ServiceSpec(
            settings=settings,
            title="gegenstrom profiling",
            publishes=[topics.COMPETENCE_PROFILE, topics.ERASURE_CONFIRMATION, topics.DATA_ACCESS],
            consumes=partial(consumers, settings=settings, clock=clock),
            routers=lambda infra: [
                api.router(infra, WorksAgreement(infra.db, settings.k_threshold), clock)
            ],
            prepare=prepare,
            background=partial(background, settings=settings, clock=clock),
        )
    )
