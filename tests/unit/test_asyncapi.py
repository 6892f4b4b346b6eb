"""The committed AsyncAPI document is what the code says, and a well-formed AsyncAPI 3.0."""

import re
from collections.abc import Iterator
from datetime import date
from types import ModuleType
from typing import Any

import jsonschema
import pytest
import yaml

import intake.main
import notification.main
import profiling.main
import training_match.main
from gegenstrom_contracts import asyncapi
from gegenstrom_contracts.catalog import ALL_EVENTS
from gegenstrom_contracts.envelope import Envelope
from gegenstrom_contracts.topics import ALL_TOPICS
from gegenstrom_contracts.training_match import (
    ItemKind,
    LearningPlanItem,
    LearningPlanUpdated,
    PlanTotals,
)
from gegenstrom_runtime.service import ServiceSpec, create_service_app
from support.factories import input_event

DOC = yaml.safe_load(asyncapi.render())
COMPONENT_KEY = re.compile(r"^[a-zA-Z0-9.\-_]+$")
COMPOSITION_ROOTS: dict[str, ModuleType] = {
    "intake": intake.main,
    "profiling": profiling.main,
    "training-match": training_match.main,
    "notification": notification.main,
}


def refs(node: Any) -> Iterator[str]:
    """Every ``$ref`` in the document."""
    if isinstance(node, dict):
        if "$ref" in node:
            yield node["$ref"]
        for value in node.values():
            yield from refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from refs(value)


def resolve(ref: str) -> Any:
    """The node a local reference points at, following references to references."""
    assert ref.startswith("#/"), ref
    node: Any = DOC
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return resolve(node["$ref"]) if isinstance(node, dict) and "$ref" in node else node


def operations(action: str, service: str) -> list[dict]:
    return [
        op
        for op in DOC["operations"].values()
        if op["action"] == action and op["tags"] == [{"name": service}]
    ]


def documented(action: str, service: str) -> set[tuple[str, str]]:
    """(topic, ce_type) of every message the document says ``service`` sends or receives."""
    return {
        (resolve(op["channel"]["$ref"])["address"], resolve(m["$ref"])["name"])
        for op in operations(action, service)
        for m in op["messages"]
    }


def test_committed_document_matches_the_code():
    assert not asyncapi.drifted(), "run `make schemas` and commit docs/asyncapi.yaml"


def test_drift_is_detected(tmp_path):
    target = tmp_path / "asyncapi.yaml"
    asyncapi.write(target)
    assert not asyncapi.drifted(target)
    target.write_text(target.read_text().replace("partitions: 6", "partitions: 7", 1))
    assert asyncapi.drifted(target)


def test_rendering_is_deterministic():
    assert asyncapi.render() == asyncapi.render()
    assert list(DOC["channels"]) == sorted(DOC["channels"])
    assert list(DOC["components"]["messages"]) == sorted(DOC["components"]["messages"])


def test_document_has_the_required_asyncapi_3_fields():
    assert DOC["asyncapi"] == "3.0.0"
    assert DOC["info"]["title"] and DOC["info"]["version"]
    assert {"channels", "operations", "components"} <= DOC.keys()
    for section in ("channels", "operations"):
        assert all(COMPONENT_KEY.match(key) for key in DOC[section]), section
    for kind, components in DOC["components"].items():
        assert all(COMPONENT_KEY.match(key) for key in components), kind
    for channel in DOC["channels"].values():
        assert channel["address"] and channel["messages"]
    for op in DOC["operations"].values():
        assert op["action"] in {"send", "receive"} and op["messages"]


def test_every_reference_resolves():
    for ref in set(refs(DOC)):
        assert resolve(ref) is not None, ref


def test_operations_name_messages_of_their_own_channel():
    for name, op in DOC["operations"].items():
        channel = op["channel"]["$ref"]
        for message in op["messages"]:
            assert message["$ref"].startswith(f"{channel}/messages/"), name


def test_one_channel_per_topic_and_one_message_per_event_type():
    assert {c["address"] for c in DOC["channels"].values()} == {t.name for t in ALL_TOPICS}
    for topic in ALL_TOPICS:
        assert DOC["channels"][topic.name]["bindings"]["kafka"]["partitions"] == topic.partitions
        assert "prefix" in DOC["channels"][topic.name]["description"]
    messages = DOC["components"]["messages"]
    assert set(messages) == {e.event_type for e in ALL_EVENTS}
    for event_cls in ALL_EVENTS:
        on_channel = DOC["channels"][event_cls.topic.name]["messages"][event_cls.event_type]
        assert resolve(on_channel["$ref"])["name"] == event_cls.event_type


def test_headers_are_those_the_envelope_writes():
    envelope = Envelope(input_event("emp-1").data, "/tests", correlation_id="c-1")
    headers = DOC["components"]["schemas"][asyncapi.HEADERS_SCHEMA]
    assert set(headers["properties"]) == set(envelope.headers())
    assert set(headers["required"]) == set(envelope.headers()) - {"ce_correlationid"}
    jsonschema.validate(envelope.headers(), headers)
    for event_cls in ALL_EVENTS:
        own = DOC["components"]["messages"][event_cls.event_type]["headers"]["allOf"][1]
        assert own["properties"]["ce_type"]["const"] == event_cls.event_type


def payload_validator(event_cls) -> jsonschema.Draft7Validator:
    """AsyncAPI schemas are a superset of JSON Schema draft 7; refs resolve in the document."""
    payload = DOC["components"]["messages"][event_cls.event_type]["payload"]
    return jsonschema.Draft7Validator({**payload, "components": DOC["components"]})


def a_plan() -> LearningPlanUpdated:
    item = LearningPlanItem(
        item_id="kpi-reading@3",
        competence_id="kpi-reading",
        target_level=3,
        kind=ItemKind.MENTOR,
        hours=6,
        cost_eur=0,
        reason="in-house first",
        due_on=date(2027, 3, 1),
    )
    totals = PlanTotals(hours=6, cost_eur=0, external_cost_avoided_eur=900, in_house_share=1)
    versions = {"plan_version": 1, "profile_version": 1}
    return LearningPlanUpdated(
        employee_id="emp-1", rollout_id="r-1", **versions, items=[item], totals=totals
    )


@pytest.mark.parametrize("event", [a_plan(), input_event("emp-1").data], ids=type)
def test_payload_schemas_accept_what_the_models_write(event):
    for schema in DOC["components"]["schemas"].values():
        jsonschema.Draft7Validator.check_schema(schema)
    validator = payload_validator(type(event))
    validator.validate(event.model_dump(mode="json"))
    broken = event.model_dump(mode="json") | {"employee_id": None}
    assert not validator.is_valid(broken)


@pytest.mark.parametrize("service", COMPOSITION_ROOTS)
def test_producers_and_consumers_are_what_the_services_wire(service, monkeypatch):
    root = COMPOSITION_ROOTS[service]
    specs: list[ServiceSpec] = []

    def capture(spec: ServiceSpec):
        specs.append(spec)
        return create_service_app(spec)

    monkeypatch.setattr(root, "create_service_app", capture)
    app = root.create_app()
    [spec] = specs
    published = {t.name for t in spec.publishes}
    assert {topic for topic, _ in documented("send", service)} == published
    wired = {(c.topic.name, e.event_type) for c in spec.consumes(app.state.infra) for e in c.events}
    assert documented("receive", service) == wired, f"update asyncapi.SUBSCRIPTIONS: {service}"


def test_the_producer_is_the_service_the_type_names():
    assert asyncapi.producers(LearningPlanUpdated) == ("training-match",)
    assert {p for e in ALL_EVENTS for p in asyncapi.producers(e)} == set(COMPOSITION_ROOTS)
