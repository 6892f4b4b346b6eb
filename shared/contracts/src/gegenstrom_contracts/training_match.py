"""Events that training-match publishes; the learning-plan event is the public contract."""

from enum import StrEnum
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from gegenstrom_contracts import topics
from gegenstrom_contracts.envelope import Event
from gegenstrom_contracts.types import Level, PseudonymousId, Ref, Version


class ItemKind(StrEnum):
    MENTOR = "mentor"
    INTERNAL_WORKSHOP = "internal_workshop"
    EXCHANGE_CIRCLE = "exchange_circle"
    SELF_STUDY = "self_study"
    EXTERNAL_COURSE = "external_course"
    UNMATCHED = "unmatched"


class LearningPlanItem(BaseModel):
    model_config = ConfigDict(frozen=True)
    item_id: str
    competence_id: Ref
    target_level: Level
    kind: ItemKind
    hours: float = Field(ge=0)
    cost_eur: float = Field(ge=0)
    reason: str = Field(description="Why this item was chosen (generated text, no personal data).")


class PlanTotals(BaseModel):
    model_config = ConfigDict(frozen=True)
    hours: float = Field(ge=0)
    cost_eur: float = Field(ge=0)
    external_cost_avoided_eur: float = Field(ge=0)
    in_house_share: float = Field(ge=0, le=1)


class LearningPlanUpdated(Event):
    """A new version of an employee's learning plan for one rollout."""

    event_type: ClassVar[str] = "org.gegenstrom.training-match.learning-plan-updated.v1"
    topic: ClassVar[topics.Topic] = topics.LEARNING_PLAN

    employee_id: PseudonymousId
    rollout_id: Ref
    plan_version: Version
    profile_version: Version
    items: list[LearningPlanItem] = Field(default_factory=list)
    totals: PlanTotals

    def subject(self) -> str:
        return self.employee_id
