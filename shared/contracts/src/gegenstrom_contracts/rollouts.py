"""Rollout events that intake publishes: the top-down strategy and the co-defined
requirement profiles, and the answers to employees' ideas."""

from datetime import date
from enum import StrEnum
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field, model_validator

from gegenstrom_contracts import topics
from gegenstrom_contracts.envelope import Event
from gegenstrom_contracts.types import Level, PseudonymousId, Ref, Version


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class Wave(Frozen):
    site_id: Ref
    starts_on: date
    ends_on: date | None = None

    @model_validator(mode="after")
    def _ordered(self) -> "Wave":
        if self.ends_on and self.ends_on < self.starts_on:
            raise ValueError(f"wave at {self.site_id} ends before it starts")
        return self


class Requirement(Frozen):
    """An abstract requirement, e.g. "Kennzahlen-Interpretationsfähigkeit"."""

    requirement_id: Ref
    title: str = Field(min_length=1, max_length=200)
    description: str = Field("", max_length=2000)
    role_ids: list[Ref] = Field(default_factory=list, description="Empty: every role in scope.")
    process_ids: list[Ref] = Field(default_factory=list, description="Empty: every process.")


class RoleChange(Frozen):
    from_role_id: Ref
    to_role_id: Ref


class RolloutScope(Frozen):
    """Who a rollout concerns; an empty list means all of that kind."""

    site_ids: list[Ref] = Field(min_length=1)
    department_ids: list[Ref] = Field(default_factory=list)
    process_ids: list[Ref] = Field(default_factory=list)
    role_ids: list[Ref] = Field(default_factory=list)
    waves: list[Wave] = Field(default_factory=list)
    requirements: list[Requirement] = Field(default_factory=list)
    role_changes: list[RoleChange] = Field(default_factory=list)

    def closed_on(self) -> date | None:
        """The last wave's end when every wave has an end; None while any is open."""
        ends = [w.ends_on for w in self.waves]
        if not ends or None in ends:
            return None
        return max(e for e in ends if e is not None)


class RolloutPublished(RolloutScope, Event):
    """A rollout as management defined it, in a new version."""

    event_type: ClassVar[str] = "org.gegenstrom.intake.rollout-published.v1"
    topic: ClassVar[topics.Topic] = topics.ROLLOUT

    rollout_id: Ref
    rollout_version: Version
    title: str

    def subject(self) -> str:
        return self.rollout_id


class ProfileItem(Frozen):
    competence_id: Ref
    category: str = Field(description="tool, method, social, process, language or other")
    target_level: Level
    essential: bool = Field(True, description="Essential items come before optional ones.")


class RequirementProfileConfirmed(Event):
    """HR confirmed a concrete competence profile for an abstract requirement."""

    event_type: ClassVar[str] = "org.gegenstrom.intake.requirement-profile-confirmed.v1"
    topic: ClassVar[topics.Topic] = topics.REQUIREMENT_PROFILE

    rollout_id: Ref
    requirement_id: Ref
    profile_version: Version
    role_ids: list[Ref]
    process_ids: list[Ref]
    items: list[ProfileItem] = Field(min_length=1)
    proposals_considered: int = Field(ge=0, description="How many employees proposed items.")

    def subject(self) -> str:
        return f"{self.rollout_id}:{self.requirement_id}"


class IdeaKind(StrEnum):
    PROCESS = "process"  # how the process could run better
    AUTOMATION = "automation"  # which technical support or automation step makes sense


class IdeaStatus(StrEnum):
    NEW = "new"
    UNDER_DISCUSSION = "under_discussion"
    ADOPTED = "adopted"
    NOT_ADOPTED = "not_adopted"


class IdeaStatusChanged(Event):
    """An idea got a status; its text and the reason stay in intake."""

    event_type: ClassVar[str] = "org.gegenstrom.intake.idea-status-changed.v1"
    topic: ClassVar[topics.Topic] = topics.IDEA

    idea_id: str
    rollout_id: Ref
    process_id: Ref | None
    kind: IdeaKind
    author_id: PseudonymousId
    status: IdeaStatus
    status_version: Version

    def subject(self) -> str:
        return self.author_id
