"""Events that training-match publishes; the learning-plan event is the public contract."""

from datetime import date
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


class ItemStatus(StrEnum):
    """Where a learning item stands; declined and rejected items are replaced by a new one."""

    PLANNED = "planned"
    REQUESTED = "requested"  # a mentor was asked
    AWAITING_APPROVAL = "awaiting_approval"  # an external course waits for HR
    ACCEPTED = "accepted"  # the mentor accepted, or HR approved
    DECLINED = "declined"  # the mentor declined (the item is re-planned)
    REJECTED = "rejected"  # HR rejected the external course (the item is re-planned)
    STARTED = "started"
    COMPLETED = "completed"
    CONFIRMED = "confirmed"  # the mentor or trainer confirmed the level reached


class LearningPlanItem(BaseModel):
    model_config = ConfigDict(frozen=True)
    item_id: str = Field(description="Stable within the plan: competence@target[/prep/offer].")
    competence_id: Ref
    target_level: Level
    kind: ItemKind
    status: ItemStatus = ItemStatus.PLANNED
    hours: float = Field(ge=0)
    cost_eur: float = Field(ge=0)
    reason: str = Field(description="Why this item was chosen (generated text, no personal data).")
    offer_id: Ref | None = None
    offer_title: str = ""
    group_id: str | None = Field(None, description="The cohort, circle or mentor offer.")
    host_id: PseudonymousId | None = Field(None, description="The mentor or trainer.")
    remote: bool = False
    starts_on: date | None = None
    due_on: date | None = Field(None, description="Start of the employee's rollout wave.")
    closes_gap: bool = Field(True, description="False: preparation that reaches less.")
    considered: list[Ref] = Field(default_factory=list, description="Offers ranked below it.")
    external_equivalent_eur: float = Field(0, ge=0, description="Cheapest external course.")


class PlanTotals(BaseModel):
    model_config = ConfigDict(frozen=True)
    hours: float = Field(ge=0)
    cost_eur: float = Field(ge=0)
    external_cost_eur: float = Field(0, ge=0)
    all_external_cost_eur: float = Field(0, ge=0, description="The same gaps, all external.")
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
    site_id: Ref | None = Field(None, description="The employee's site (for per-site digests).")
    items: list[LearningPlanItem] = Field(default_factory=list)
    totals: PlanTotals

    def subject(self) -> str:
        return self.employee_id


class LearningItemStatusChanged(Event):
    """A learner, mentor, trainer or HR moved a learning item on."""

    event_type: ClassVar[str] = "org.gegenstrom.training-match.learning-item-status-changed.v1"
    topic: ClassVar[topics.Topic] = topics.LEARNING_ITEM

    employee_id: PseudonymousId
    rollout_id: Ref
    item_id: str
    competence_id: Ref
    kind: ItemKind
    status: ItemStatus
    changed_by: PseudonymousId

    def subject(self) -> str:
        return self.employee_id


class MentorRequested(Event):
    """A mentor is asked to take on a mentee for one competence."""

    event_type: ClassVar[str] = "org.gegenstrom.training-match.mentor-requested.v1"
    topic: ClassVar[topics.Topic] = topics.LEARNING_ITEM

    mentor_id: PseudonymousId
    mentee_id: PseudonymousId
    rollout_id: Ref
    item_id: str
    offer_id: Ref
    competence_id: Ref
    target_level: Level

    def subject(self) -> str:
        return self.mentee_id


class CohortFormed(Event):
    """A workshop cohort or exchange circle reached its minimum size."""

    event_type: ClassVar[str] = "org.gegenstrom.training-match.cohort-formed.v1"
    topic: ClassVar[topics.Topic] = topics.LEARNING_GROUP

    group_id: str
    offer_id: Ref
    kind: ItemKind
    competence_id: Ref
    site_id: Ref | None = Field(None, description="None: the group meets remotely.")
    host_id: PseudonymousId | None = None
    member_ids: list[PseudonymousId]
    starts_on: date | None = None

    def subject(self) -> str:
        return self.group_id
