"""Events that intake publishes."""

from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from gegenstrom_contracts import topics
from gegenstrom_contracts.envelope import Event
from gegenstrom_contracts.types import Level, PseudonymousId, Ref, Version

ReleasableField = Literal[
    "tool_ids",
    "self_ratings",
    "learning_wishes",
    "mentoring_offer",
    "tasks",
    "qualifications",
    "experience",
    "profile",
    "plan",
]


class SelfRating(BaseModel):
    model_config = ConfigDict(frozen=True)
    competence_id: Ref
    level: Level


class LearningWish(BaseModel):
    model_config = ConfigDict(frozen=True)
    competence_id: Ref
    target_level: Level


class MentoringOffer(BaseModel):
    model_config = ConfigDict(frozen=True)
    competence_ids: list[Ref] = Field(min_length=1)
    capacity: int = Field(ge=1, le=20, description="How many colleagues at once.")


class StructuredInput(BaseModel):
    """The structured part of an employee's input: ids, levels and choices, no free text.

    Intake's HTTP form extends it with free text, which stays in intake.
    """

    employee_id: PseudonymousId
    rollout_id: Ref
    site_id: Ref
    department_id: Ref | None = None
    role_id: Ref
    process_step_id: Ref | None = None
    tool_ids: list[Ref] = Field(default_factory=list, max_length=100)
    self_ratings: list[SelfRating] = Field(default_factory=list, max_length=200)
    learning_wishes: list[LearningWish] = Field(default_factory=list, max_length=200)
    mentoring_offer: MentoringOffer | None = None
    released_to_manager: list[ReleasableField] = Field(default_factory=list)


class EmployeeInputSubmitted(StructuredInput, Event):
    """An employee submitted or changed their input for a rollout (structured fields only)."""

    event_type: ClassVar[str] = "org.gegenstrom.intake.employee-input-submitted.v1"
    topic: ClassVar[topics.Topic] = topics.EMPLOYEE_INPUT

    input_version: Version

    def subject(self) -> str:
        return self.employee_id
