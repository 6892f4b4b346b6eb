"""Composition root of profiling: ``python -m profiling``."""

from functools import partial

from fastapi import FastAPI

from gegenstrom_contracts import topics
from gegenstrom_contracts.intake import EmployeeInputSubmitted
from gegenstrom_contracts.org import EmployeeAssignmentChanged
from gegenstrom_contracts.profiling import CompetenceEvidenceRecorded
from gegenstrom_contracts.rollouts import RequirementProfileConfirmed, RolloutPublished
from gegenstrom_runtime.service import (
    Consumes,
    Infrastructure,
    ServiceSpec,
    create_service_app,
    every,
)
from profiling import api, handlers
from profiling.gauges import update_gauges
from profiling.settings import ProfilingSettings
from profiling.state import ProfilingState


def consumers(infra: Infrastructure) -> list[Consumes]:
    def on(topic, event_type, handler) -> Consumes:
        return Consumes(topic, [event_type], partial(handler, infra))

    return [
        on(topics.EMPLOYEE_INPUT, EmployeeInputSubmitted, handlers.on_input),
        on(topics.ROLLOUT, RolloutPublished, handlers.on_rollout),
        on(
            topics.REQUIREMENT_PROFILE, RequirementProfileConfirmed, handlers.on_requirement_profile
        ),
        on(topics.COMPETENCE_EVIDENCE, CompetenceEvidenceRecorded, handlers.on_evidence),
        on(topics.EMPLOYEE, EmployeeAssignmentChanged, handlers.on_assignment),
    ]


async def prepare(infra: Infrastructure) -> None:
    await ProfilingState(infra.db).ensure_indexes()


def create_app(settings: ProfilingSettings | None = None) -> FastAPI:
    settings = settings or ProfilingSettings()
    interval = settings.gauges_interval_s
    return create_service_app(
        ServiceSpec(
            settings=settings,
            title="gegenstrom profiling",
            publishes=[topics.COMPETENCE_PROFILE],
            consumes=consumers,
            routers=lambda infra: [api.router(infra)],
            prepare=prepare,
            background=lambda infra: [
                every(interval, lambda: update_gauges(infra), "domain gauges")
            ],
        )
    )
