"""An employee's input as they give it, and the part of it that may leave intake."""

from pydantic import ConfigDict, Field

from gegenstrom_contracts.intake import EmployeeInputSubmitted, StructuredInput

FreeText = str


class EmployeeInputForm(StructuredInput):
    """What an employee submits. Free-text fields are kept in intake and never published."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

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
    structured = form.model_dump(include=set(StructuredInput.model_fields))
    return EmployeeInputSubmitted(**structured, input_version=version)
