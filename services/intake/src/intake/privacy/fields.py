"""The fields of intake's models that hold personal data (marked ``x-personal``)."""

from pydantic import BaseModel

from intake.domain import EmployeeInputForm
from intake.org.model import Employee
from intake.personal import PERSONAL
from intake.rollouts.model import IdeaAnswer, IdeaForm

MODELS: tuple[type[BaseModel], ...] = (Employee, EmployeeInputForm, IdeaForm, IdeaAnswer)


def personal_field_names(models: tuple[type[BaseModel], ...] = MODELS) -> set[str]:
    """Names of the marked fields of ``models``; no event may carry one of them."""
    return {
        name
        for model in models
        for name, field in model.model_fields.items()
        if isinstance(field.json_schema_extra, dict)
        and all(field.json_schema_extra.get(k) == v for k, v in PERSONAL.items())
    }
