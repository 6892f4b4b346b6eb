"""Events of the privacy controls (issue «Privacy and works-council controls»).

Erasure on request travels as one event that carries only the pseudonymous id; every
service that holds data of that employee erases it and confirms with an event that also
carries only that id. Reads of someone else's personal data are reported as access events,
kept by intake's access log. The works agreement in force is published whenever it changes,
so each service applies the same k, retention periods and visibility rules.
"""

from datetime import datetime
from enum import StrEnum
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from gegenstrom_contracts import topics
from gegenstrom_contracts.envelope import Event
from gegenstrom_contracts.intake import ReleasableField
from gegenstrom_contracts.types import PseudonymousId, Version

WORKS_AGREEMENT_KEY = "works-agreement"


class EmployeeErased(Event):
    """Intake erased the person behind the id; every service erases what it holds of them."""

    event_type: ClassVar[str] = "org.gegenstrom.intake.employee-erased.v1"
    topic: ClassVar[topics.Topic] = topics.ERASURE

    employee_id: PseudonymousId

    def subject(self) -> str:
        return self.employee_id


class ErasureConfirmed(Event):
    """A service erased everything it held of the employee and freed what they held."""

    event_type: ClassVar[str] = "org.gegenstrom.privacy.erasure-confirmed.v1"
    topic: ClassVar[topics.Topic] = topics.ERASURE_CONFIRMATION
    produced_by: ClassVar[tuple[str, ...]] = ("profiling", "training-match", "notification")
    about_erasure: ClassVar[bool] = True

    employee_id: PseudonymousId
    service: str = Field(pattern=r"^[a-z][a-z-]*$", description="The confirming service.")

    def subject(self) -> str:
        return self.employee_id


class AccessedData(StrEnum):
    """The kinds of personal data a read can concern."""

    ORG_RECORD = "org_record"
    EMPLOYEE_LIST = "employee_list"
    EMPLOYEE_INPUT = "employee_input"
    COMPETENCE_PROFILE = "competence_profile"
    LEARNING_PLAN = "learning_plan"
    INBOX = "inbox"


class PersonalDataAccessed(Event):
    """Someone read personal data of other employees (never published for one's own)."""

    event_type: ClassVar[str] = "org.gegenstrom.privacy.personal-data-accessed.v1"
    topic: ClassVar[topics.Topic] = topics.DATA_ACCESS
    produced_by: ClassVar[tuple[str, ...]] = (
        "intake",
        "profiling",
        "training-match",
        "notification",
    )

    access_id: str
    employee_ids: list[PseudonymousId] = Field(min_length=1, description="Whose data was read.")
    reader_id: str = Field(min_length=1, max_length=128, description="Pseudonymous subject.")
    reader_role: str
    data: AccessedData
    service: str = Field(pattern=r"^[a-z][a-z-]*$")
    accessed_at: datetime

    def subject(self) -> str:
        return self.reader_id


class RetentionPeriods(BaseModel):
    """How long each kind of data is kept, in days."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    closed_rollout_data_days: int = Field(
        180, ge=1, description="Inputs, profiles and plans, counted from a rollout's last wave end."
    )
    delivered_notifications_days: int = Field(90, ge=1)
    webhook_deliveries_days: int = Field(30, ge=1)
    access_log_days: int = Field(365, ge=1)


class WorksAgreementTerms(BaseModel):
    """What the works agreement sets; one document, checked by the works council."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    k: int = Field(5, ge=2, description="Smallest group an aggregate may describe.")
    retention: RetentionPeriods = Field(default_factory=RetentionPeriods)
    managers_see_by_default: list[ReleasableField] = Field(
        default_factory=list,
        description="Parts of an input a manager sees when the employee chose nothing.",
    )
    mentors_see_profiles: bool = Field(
        False, description="Whether a mentor sees the mentee's competence profile."
    )


class WorksAgreementChanged(Event):
    """A new version of the works agreement is in force from ``in_force_from``."""

    event_type: ClassVar[str] = "org.gegenstrom.intake.works-agreement-changed.v1"
    topic: ClassVar[topics.Topic] = topics.WORKS_AGREEMENT

    agreement_version: Version
    terms: WorksAgreementTerms
    in_force_from: datetime

    def subject(self) -> str:
        return WORKS_AGREEMENT_KEY
