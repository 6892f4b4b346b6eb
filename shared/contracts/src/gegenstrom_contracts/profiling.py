"""Events that profiling publishes."""

from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from gegenstrom_contracts import topics
from gegenstrom_contracts.envelope import Event
from gegenstrom_contracts.types import Level, PseudonymousId, Ref, Version


class CompetenceGap(BaseModel):
    model_config = ConfigDict(frozen=True)
    competence_id: Ref
    current_level: Level
    target_level: Level
    size: int = Field(ge=1, le=4)


class Strength(BaseModel):
    """A competence the employee offered to pass on to colleagues."""

    model_config = ConfigDict(frozen=True)
    competence_id: Ref
    level: Level
    mentoring_capacity: int = Field(ge=0)


class CompetenceProfileUpdated(Event):
    """A new version of an employee's competence profile for one rollout."""

    event_type: ClassVar[str] = "org.gegenstrom.profiling.competence-profile-updated.v1"
    topic: ClassVar[topics.Topic] = topics.COMPETENCE_PROFILE

    employee_id: PseudonymousId
    rollout_id: Ref
    profile_version: Version
    input_version: Version
    site_id: Ref
    gaps: list[CompetenceGap] = Field(default_factory=list)
    strengths: list[Strength] = Field(default_factory=list)

    def subject(self) -> str:
        return self.employee_id
