"""Events that profiling publishes, and the evidence event it reads (published by
training-match when a learning item is completed or a level confirmed)."""

from datetime import date, datetime
from enum import StrEnum
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from gegenstrom_contracts import topics
from gegenstrom_contracts.envelope import Event
from gegenstrom_contracts.types import Level, PseudonymousId, Ref, Version


class LevelSource(StrEnum):
    """Where a current level comes from, in rising precedence (see docs/profiling-rules.md)."""

    NONE = "none"
    SELF_RATING = "self_rating"
    LEARNING_COMPLETED = "learning_completed"
    CONFIRMED = "confirmed"


class Target(BaseModel):
    """A level the employee should reach, and why."""

    model_config = ConfigDict(frozen=True)
    competence_id: Ref
    target_level: Level
    essential: bool
    requirement_ids: list[Ref] = Field(
        default_factory=list, description="Empty: the employee's own learning wish."
    )


class CompetenceGap(BaseModel):
    model_config = ConfigDict(frozen=True)
    competence_id: Ref
    current_level: Level
    target_level: Level
    size: int = Field(ge=1, le=4)
    essential: bool = True
    priority: int = Field(1, ge=1, description="1 is the most urgent gap of this profile.")
    due_on: date | None = Field(None, description="Start of the employee's rollout wave.")
    current_source: LevelSource = LevelSource.NONE


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
    department_id: Ref | None = None
    process_id: Ref | None = Field(None, description="The employee's process step.")
    role_id: Ref | None = Field(None, description="The role the targets are for (the new one).")
    targets: list[Target] = Field(default_factory=list)
    gaps: list[CompetenceGap] = Field(default_factory=list)
    strengths: list[Strength] = Field(default_factory=list)

    def subject(self) -> str:
        return self.employee_id


class EvidenceSource(StrEnum):
    LEARNING_COMPLETED = "learning_completed"  # the employee completed a learning item
    MENTOR_CONFIRMED = "mentor_confirmed"  # a mentor confirmed the level reached
    TRAINER_CONFIRMED = "trainer_confirmed"  # a trainer confirmed the level reached


class CompetenceEvidenceRecorded(Event):
    """Evidence of a level an employee reached; profiling keeps every one (append-only)."""

    event_type: ClassVar[str] = "org.gegenstrom.training-match.competence-evidence-recorded.v1"
    topic: ClassVar[topics.Topic] = topics.COMPETENCE_EVIDENCE

    evidence_id: str
    employee_id: PseudonymousId
    competence_id: Ref
    level: Level
    source: EvidenceSource
    observed_at: datetime
    rollout_id: Ref | None = None
    confirmed_by: PseudonymousId | None = Field(None, description="The mentor or trainer.")

    def subject(self) -> str:
        return self.employee_id
