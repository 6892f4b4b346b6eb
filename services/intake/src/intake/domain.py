"""An employee's input as they give it, and the part of it that may leave intake."""

from pydantic import BaseModel, ConfigDict, Field

from gegenstrom_contracts.intake import (
    EmployeeInputSubmitted,
    LearningWish,
    MentoringOffer,
    ReleasableField,
    SelfRating,
)
from gegenstrom_contracts.types import PseudonymousId, Ref

FreeText = str


class EmployeeInputForm(BaseModel):
    """What an employee submits. Free-text fields are kept in intake and never published."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

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
    tasks: list[FreeText] = Field(default_factory=list, max_length=50)
    background: FreeText = Field("", max_length=5000)
    experience: FreeText = Field("", max_length=5000)
    ideas: list[FreeText] = Field(default_factory=list, max_length=50)

    def key(self) -> str:
        return f"{self.rollout_id}:{self.employee_id}"

    def stored(self) -> dict:
        return self.model_dump(mode="json")


def to_event(form: EmployeeInputForm, version: int) -> EmployeeInputSubmitted:
    """The structured part of the input: ids, levels and choices, no free text."""
    structured = form.model_dump(exclude={"tasks", "background", "experience", "ideas"})
    return EmployeeInputSubmitted(**structured, input_version=version)
