import json

import pytest

from gegenstrom_contracts.catalog import ALL_EVENTS
from gegenstrom_contracts.envelope import ContractError, Envelope, EventRegistry
from gegenstrom_contracts.intake import EmployeeInputSubmitted
from support.factories import input_event

REGISTRY = EventRegistry(ALL_EVENTS)


def test_binary_mode_headers_carry_the_cloudevents_attributes():
    envelope = input_event("emp-1")
    headers = envelope.headers()
    assert headers["ce_specversion"] == "1.0"
    assert headers["ce_type"] == EmployeeInputSubmitted.event_type
    assert headers["ce_subject"] == "emp-1"
    assert headers["content-type"] == "application/json"
    assert envelope.key() == b"emp-1"
    assert json.loads(envelope.body())["employee_id"] == "emp-1"


def test_decode_reads_back_what_was_encoded():
    envelope = input_event("emp-1")
    decoded = REGISTRY.decode(
        envelope.body(), {k: v.encode() for k, v in envelope.headers().items()}
    )
    assert decoded.id == envelope.id
    assert decoded.time == envelope.time
    assert decoded.data == envelope.data


def test_readers_ignore_fields_added_within_a_version():
    envelope = input_event("emp-1")
    body = json.dumps(json.loads(envelope.body()) | {"added_later": 1}).encode()
    assert REGISTRY.decode(body, envelope.headers()).data == envelope.data


@pytest.mark.parametrize(
    ("body", "headers", "reason"),
    [
        (b"{}", {}, "missing CloudEvents header(s): ce_specversion, ce_id, ce_source, ce_type"),
        (b"{}", {"ce_type": "nope"}, "unknown ce_type 'nope'"),
        (b"", None, "empty body"),
        (b"[1]", None, "invalid org.gegenstrom.intake.employee-input-submitted.v1"),
    ],
)
def test_records_off_the_contract_say_why(body, headers, reason):
    good = input_event("emp-1").headers()
    headers = good if headers is None else {**good, **headers} if headers else {}
    with pytest.raises(ContractError, match=reason.replace("(", r"\(").replace(")", r"\)")):
        REGISTRY.decode(body, headers)


def test_caused_events_get_stable_ids_and_carry_the_correlation():
    cause = input_event("emp-1")
    first = cause.caused(cause.data, "/x")
    again = cause.caused(cause.data, "/x")
    assert first.id == again.id != cause.id
    assert first.correlation_id == cause.id
    assert first.caused(cause.data, "/y").correlation_id == cause.id


def test_every_event_names_its_subject():
    for event_cls in ALL_EVENTS:
        assert event_cls.model_fields, event_cls
        assert "subject" in vars(event_cls), f"{event_cls.__name__} must define subject()"


def test_envelope_defaults_are_fresh_per_event():
    a, b = Envelope(input_event("emp-1").data, "/x"), Envelope(input_event("emp-1").data, "/x")
    assert a.id != b.id
