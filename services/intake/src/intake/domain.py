"""An employee's input as they give it, and the part of it that may leave intake."""

from pydantic import ConfigDict, Field

from gegenstrom_contracts.intake import EmployeeInputSubmitted, ReleasableField, StructuredInput
from intake.personal import PERSONAL

FreeText = str


class EmployeeInputForm(StructuredInput):
    """What an employee submits. Free-text fields are kept in intake and never published."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    tasks: list[FreeText] = Field(default_factory=list, max_length=50, json_schema_extra=PERSONAL)
    background: FreeText = Field("", max_length=5000, json_schema_extra=PERSONAL)
    qualifications: list[FreeText] = Field(
        default_factory=list, max_length=30, json_schema_extra=PERSONAL
    )
    experience: FreeText = Field("", max_length=5000, json_schema_extra=PERSONAL)

    def key(self) -> str:
        return f"{self.rollout_id}:{self.employee_id}"

    def stored(self) -> dict:
        """The input as kept; ``released_to_manager`` only when the employee chose it, so
        that the works agreement's default applies to those who did not choose."""
        chosen = "released_to_manager" in self.model_fields_set
        return self.model_dump(mode="json", exclude=None if chosen else {"released_to_manager"})

    def org_references(self) -> dict[str, set[str]]:
        """The ids of org records the input refers to, per collection."""
        refs: dict[str, set[str]] = {kind: set() for kind in REFERENCES.values()}
        for field, kind in REFERENCES.items():
            if getattr(self, field) is not None:
                refs[kind].add(getattr(self, field))
        return refs

    def competence_ids(self) -> list[str]:
        offered = self.mentoring_offer.competence_ids if self.mentoring_offer else []
        rated = [r.competence_id for r in self.self_ratings]
        return sorted({*rated, *(w.competence_id for w in self.learning_wishes), *offered})


REFERENCES = {  # input field -> the organisation collection it refers to
    "site_id": "sites",
    "department_id": "departments",
    "role_id": "roles",
    "process_step_id": "processes",
}


def input_problems(
    form: EmployeeInputForm, employee: dict | None, org: dict[str, set]
) -> list[str]:
    """References the input makes that the organisation does not know."""
    if employee is None:
        return [f"unknown employee {form.employee_id} (import the organisation first)"]
    return [
        f"unknown {field.removesuffix('_id')} '{getattr(form, field)}'"
        for field, kind in REFERENCES.items()
        if getattr(form, field) is not None and getattr(form, field) not in org[kind]
    ]


def released_part(stored: dict, by_default: list[ReleasableField]) -> dict:
    """What the employee released to their manager, and nothing else; ``by_default`` (the
    works agreement's) when they made no choice. An empty choice releases nothing."""
    released = set(stored.get("released_to_manager", by_default))
    keep = {"employee_id", "rollout_id", "site_id", "role_id"} | released
    return {k: v for k, v in stored.items() if k in keep}


def to_event(form: EmployeeInputForm, version: int) -> EmployeeInputSubmitted:
    """The structured part of the input: ids, levels and choices, no free text."""
    structured = form.model_dump(include=set(StructuredInput.model_fields))
    return EmployeeInputSubmitted(**structured, input_version=version)
