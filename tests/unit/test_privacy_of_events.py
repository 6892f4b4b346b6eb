"""Free text from the form stays in intake: the event carries structured fields only."""

from intake.domain import EmployeeInputForm, to_event
from support.factories import SECRET_TEXT, input_form


def test_event_of_an_input_holds_no_free_text():
    form = EmployeeInputForm.model_validate(input_form("emp-1"))
    body = to_event(form, version=3).model_dump_json()
    assert SECRET_TEXT not in body
    assert "Schichtübergabe" not in body and "Spedition" not in body
    assert '"input_version":3' in body


def test_every_structured_field_of_the_form_reaches_the_event():
    form = EmployeeInputForm.model_validate(input_form("emp-1"))
    event = to_event(form, version=1)
    free_text = {"tasks", "background", "experience", "qualifications"}
    for name in set(EmployeeInputForm.model_fields) - free_text:
        assert getattr(event, name) == getattr(form, name), name
