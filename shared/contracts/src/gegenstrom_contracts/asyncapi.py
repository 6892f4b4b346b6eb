"""AsyncAPI 3.0 document of the event contract, generated from the code and committed.

``python -m gegenstrom_contracts.asyncapi write`` regenerates ``docs/asyncapi.yaml``;
``... check`` exits 1 when the committed document drifts from the code.

Channels come from ``topics.ALL_TOPICS``, messages from ``catalog.ALL_EVENTS``. The
producer of an event is the service its type names (``org.gegenstrom.<service>.<name>.vN``)
or, for the privacy events every service sends, the services its ``produced_by`` lists;
the consumers are in ``SUBSCRIPTIONS``, which a unit test compares with what each
service's composition root subscribes to (contracts do not import services).
"""

import re
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml
from pydantic.json_schema import models_json_schema

from gegenstrom_contracts.catalog import ALL_EVENTS
from gegenstrom_contracts.envelope import CONTENT_TYPE, SPEC_VERSION, Event
from gegenstrom_contracts.intake import EmployeeInputSubmitted
from gegenstrom_contracts.notification import NotificationCreated
from gegenstrom_contracts.org import EmployeeAssignmentChanged
from gegenstrom_contracts.privacy import (
    EmployeeErased,
    ErasureConfirmed,
    PersonalDataAccessed,
    WorksAgreementChanged,
)
from gegenstrom_contracts.profiling import CompetenceEvidenceRecorded, CompetenceProfileUpdated
from gegenstrom_contracts.rollouts import (
    IdeaStatusChanged,
    RequirementProfileConfirmed,
    RolloutPublished,
)
from gegenstrom_contracts.schemas import schema_file
from gegenstrom_contracts.topics import ALL_TOPICS, Topic
from gegenstrom_contracts.training_match import (
    CohortFormed,
    LearningItemStatusChanged,
    LearningPlanUpdated,
    MentorRequested,
)

DOCUMENT = Path(__file__).resolve().parents[4] / "docs" / "asyncapi.yaml"
ASYNCAPI_VERSION = "3.0.0"
DOCUMENT_VERSION = "1.0.0"  # see docs/event-versioning.md
KAFKA_BINDING_VERSION = "0.5.0"
HEADERS_SCHEMA = "CloudEventsHeaders"
EVENT_TYPE = re.compile(r"^org\.gegenstrom\.(?P<service>[a-z][a-z-]*)\.[a-z][a-z-]*\.v\d+$")

SUBSCRIPTIONS: dict[str, tuple[type[Event], ...]] = {
    "notification": (  # the inbox reads plans; webhooks fan out every public event
        LearningPlanUpdated,
        LearningItemStatusChanged,
        MentorRequested,
        CohortFormed,
        IdeaStatusChanged,
        NotificationCreated,
        EmployeeErased,
        WorksAgreementChanged,
    ),
    "intake": (ErasureConfirmed, PersonalDataAccessed),
    "profiling": (
        EmployeeErased,
        WorksAgreementChanged,
        EmployeeInputSubmitted,
        RolloutPublished,
        RequirementProfileConfirmed,
        CompetenceEvidenceRecorded,
        EmployeeAssignmentChanged,
    ),
    "training-match": (
        CompetenceProfileUpdated,
        EmployeeErased,
        WorksAgreementChanged,
        RolloutPublished,
    ),
}
"""The events each service consumes, as its composition root subscribes to them."""

INFO_DESCRIPTION = f"""\
The integration events of gegenstrom on Kafka.

Every record is a CloudEvent {SPEC_VERSION} in the Kafka protocol binding, binary content \
mode: the attributes travel as `ce_*` headers, the body is the event's JSON \
(`{CONTENT_TYPE}`). The key is the event's subject (mostly the pseudonymous employee \
id), so one subject's events stay in order. Readers ignore fields they do not know; \
what may change within a version is in docs/event-versioning.md. A deployment may put \
a prefix in front of every topic name. Subscribing from another system: \
docs/subscribing.md."""

HEADER_DESCRIPTIONS = {
    "ce_specversion": "CloudEvents specification version.",
    "ce_id": "Unique per event; a redelivery keeps it, so drop repeats by id.",
    "ce_source": "The producing service, e.g. `/gegenstrom/training-match`.",
    "ce_type": "The event type; it selects the payload schema.",
    "ce_time": "When the event happened (RFC 3339).",
    "ce_subject": "What the event is about; equals the Kafka key.",
    "ce_correlationid": "Optional: the id of the event or request that started the chain.",
    "content-type": "Media type of the body.",
}


def producers(event_cls: type[Event]) -> tuple[str, ...]:
    """The services that publish an event: those it lists, else the one its type names."""
    if event_cls.produced_by:
        return event_cls.produced_by
    match = EVENT_TYPE.match(event_cls.event_type)
    if match is None:
        raise ValueError(f"{event_cls.event_type!r} is not org.gegenstrom.<service>.<name>.vN")
    return (match["service"],)


def consumers(event_cls: type[Event]) -> list[str]:
    """The services that subscribe to an event, sorted."""
    return sorted(s for s, events in SUBSCRIPTIONS.items() if event_cls in events)


def subject_of(event_cls: type[Event]) -> str:
    """What an event's subject is made of, e.g. ``{employee_id}``, read off ``subject()``."""
    placeholders: dict[str, Any] = {name: f"{{{name}}}" for name in event_cls.model_fields}
    return event_cls.model_construct(**placeholders).subject()


def build() -> dict[str, Any]:
    """The whole document, with sorted channels, operations and components."""
    return {
        "asyncapi": ASYNCAPI_VERSION,
        "info": {
            "title": "gegenstrom events",
            "version": DOCUMENT_VERSION,
            "description": INFO_DESCRIPTION,
        },
        "defaultContentType": CONTENT_TYPE,
        "servers": {
            "local": {
                "host": "localhost:9092",
                "protocol": "kafka",
                "description": "`make run` or `make infra-up`; deployments name their own.",
            }
        },
        "channels": _sorted({t.name: _channel(t, _events_on(t)) for t in ALL_TOPICS}),
        "operations": _sorted(dict(_operations())),
        "components": _sorted(_components()),
    }


def render() -> str:
    return yaml.safe_dump(build(), sort_keys=False, allow_unicode=True, width=100)


def drifted(path: Path = DOCUMENT) -> bool:
    """True when the committed document is missing or differs from the code."""
    return not path.is_file() or path.read_text() != render()


def write(path: Path = DOCUMENT) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render())


def _events_on(topic: Topic) -> list[type[Event]]:
    return sorted((e for e in ALL_EVENTS if e.topic == topic), key=lambda e: e.event_type)


def _channel(topic: Topic, events: list[type[Event]]) -> dict[str, Any]:
    kafka: dict[str, Any] = {"topic": topic.name, "partitions": topic.partitions}
    if topic.retention_ms:
        kafka["topicConfiguration"] = {"retention.ms": topic.retention_ms}
    return {
        "address": topic.name,
        "description": (
            f"Topic `{topic.name}` with {topic.partitions} partition(s). Deployments may "
            f"prefix it (`<prefix>{topic.name}`); a consumer that gives up on a record "
            f"moves it to `<topic>.dlq`."
        ),
        "messages": {e.event_type: _ref("components", "messages", e.event_type) for e in events},
        "bindings": {"kafka": kafka | {"bindingVersion": KAFKA_BINDING_VERSION}},
    }


def _operations() -> Iterable[tuple[str, dict[str, Any]]]:
    for topic in ALL_TOPICS:
        events = _events_on(topic)
        for service in sorted({p for e in events for p in producers(e)}):
            sent = [e for e in events if service in producers(e)]
            yield f"{service}.send.{topic.name}", _operation("send", service, topic, sent)
        for service in sorted({c for e in events for c in consumers(e)}):
            received = [e for e in events if service in consumers(e)]
            yield (
                f"{service}.receive.{topic.name}",
                _operation("receive", service, topic, received),
            )


def _operation(
    action: str, service: str, topic: Topic, events: list[type[Event]]
) -> dict[str, Any]:
    verb = "publishes" if action == "send" else "consumes"
    return {
        "action": action,
        "channel": _ref("channels", topic.name),
        "summary": f"{service} {verb} {', '.join(e.event_type for e in events)}.",
        "tags": [{"name": service}],
        "messages": [_ref("channels", topic.name, "messages", e.event_type) for e in events],
    }


def _components() -> dict[str, Any]:
    return {
        "messages": {e.event_type: _message(e) for e in ALL_EVENTS},
        "schemas": {HEADERS_SCHEMA: _headers_schema(), **_payload_schemas()},
        "correlationIds": {
            "ce_correlationid": {
                "description": "Events caused by one another share it.",
                "location": "$message.header#/ce_correlationid",
            }
        },
    }


def _message(event_cls: type[Event]) -> dict[str, Any]:
    subject = subject_of(event_cls)
    summary = (event_cls.__doc__ or "").strip().splitlines()[0]
    return {
        "name": event_cls.event_type,
        "title": event_cls.__name__,
        "summary": summary,
        "description": (
            f"Published by {', '.join(producers(event_cls))} on `{event_cls.topic.name}`. "
            f"JSON Schema file: `shared/contracts/schemas/{schema_file(event_cls)}`."
        ),
        "contentType": CONTENT_TYPE,
        "headers": {
            "allOf": [
                _ref("components", "schemas", HEADERS_SCHEMA),
                {
                    "type": "object",
                    "properties": {
                        "ce_type": {"type": "string", "const": event_cls.event_type},
                        "ce_subject": {
                            "type": "string",
                            "description": f"What the event is about: `{subject}`.",
                        },
                    },
                },
            ]
        },
        "payload": _ref("components", "schemas", event_cls.__name__),
        "correlationId": _ref("components", "correlationIds", "ce_correlationid"),
        "bindings": {
            "kafka": {
                "key": {"type": "string", "description": f"The subject: `{subject}`."},
                "bindingVersion": KAFKA_BINDING_VERSION,
            }
        },
    }


def _headers_schema() -> dict[str, Any]:
    constants = {"ce_specversion": SPEC_VERSION, "content-type": CONTENT_TYPE}
    properties = {
        name: {"type": "string", "description": text}
        | ({"const": constants[name]} if name in constants else {})
        | ({"format": "date-time"} if name == "ce_time" else {})
        for name, text in HEADER_DESCRIPTIONS.items()
    }
    return {
        "type": "object",
        "description": "CloudEvents attributes as Kafka headers (binary content mode).",
        "required": [name for name in HEADER_DESCRIPTIONS if name != "ce_correlationid"],
        "properties": properties,
    }


def _payload_schemas() -> dict[str, Any]:
    """Every event's JSON Schema and the models they share, referenced as components."""
    _, top = models_json_schema(
        [(e, "serialization") for e in ALL_EVENTS], ref_template="#/components/schemas/{model}"
    )
    schemas: dict[str, Any] = top["$defs"]
    if HEADERS_SCHEMA in schemas:
        raise ValueError(f"a model may not be called {HEADERS_SCHEMA}: the headers are")
    return schemas


def _ref(*path: str) -> dict[str, str]:
    pointer = "/".join(p.replace("~", "~0").replace("/", "~1") for p in path)
    return {"$ref": f"#/{pointer}"}


def _sorted(value: Any) -> Any:
    """Mappings sorted by key, recursively; lists keep their order."""
    if isinstance(value, dict):
        return {k: _sorted(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return [_sorted(v) for v in value]
    return value


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "check"
    if command == "write":
        write()
    elif drifted():
        sys.exit(f"{DOCUMENT} drifted from the code; run `make schemas`")
