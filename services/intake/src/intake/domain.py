"""An employee's input as they give it, and the part of it that may leave intake."""

from pydantic import ConfigDict, Field

from gegenstrom_contracts.intake import EmployeeInputSubmitted, StructuredInput

FreeText = str


class EmployeeInputForm(StructuredInput):
    """What an employee submits. Free-text fields are kept in intake and never published."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    tasks: list[FreeText] = Field(default_factory=list, max_length=50)
    background: FreeText = Field("", max_length=5000)
    qualifications: list[FreeText] = Field(default_factory=list, max_length=30)
    experience: FreeText = Field("", max_length=5000)

    def key(self) -> str:
        return f"{self.rollout_id}:{self.employee_id}"

    def stored(self) -> dict:
        return self.model_dump(mode="json")

    def competence_ids(self) -> list[str]:
        offered = self.mentoring_offer.competence_ids if self.mentoring_offer else []
        rated = [r.competence_id for r in self.self_ratings]
        return sorted({*rated, *(w.competence_id for w in self.learning_wishes), *offered})


def input_problems(
    form: EmployeeInputForm, employee: dict | None, org: dict[str, set]
) -> list[str]:
    """References the input makes that the organisation does not know."""
    if employee is None:
        return [f"unknown employee {form.employee_id} (import the organisation first)"]
    references = {
        "site_id": form.site_id,
        "department_id": form.department_id,
        "role_id": form.role_id,
        "process_step_id": form.process_step_id,
    }
    kinds = {
        "site_id": "sites",
        "department_id": "departments",
        "role_id": "roles",
        "process_step_id": "processes",
    }
    return [
        f"unknown {field.removesuffix('_id')} '{value}'"
        for field, value in references.items()
        if value is not None and value not in org[kinds[field]]
    ]


def released_part(stored: dict) -> dict:
    """What the employee released to their manager, and nothing else."""
    released = set(stored.get("released_to_manager", []))
    keep = {"employee_id", "rollout_id", "site_id", "role_id"} | released
    return {k: v for k, v in stored.items() if k in keep}


def to_event(form: EmployeeInputForm, version: int) -> EmployeeInputSubmitted:
    """The structured part of the input: ids, levels and choices, no free text."""
    structured = form.model_dump(include=set(StructuredInput.model_fields))
    return EmployeeInputSubmitted(**structured, input_version=version)
