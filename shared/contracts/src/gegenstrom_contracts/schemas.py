"""JSON Schemas of the events, generated from the models and committed.

``python -m gegenstrom_contracts.schemas write`` regenerates them;
``... check`` exits 1 when the committed files drift from the models.
"""

import json
import sys
from pathlib import Path

from gegenstrom_contracts.catalog import ALL_EVENTS
from gegenstrom_contracts.envelope import Event

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "schemas"


def schema_file(event_cls: type[Event]) -> str:
    return f"{event_cls.event_type}.json"


def render(event_cls: type[Event]) -> str:
    schema = event_cls.model_json_schema(mode="serialization")
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://gegenstrom.org/schemas/{schema_file(event_cls)}",
        "x-cloudevents-type": event_cls.event_type,
        "x-kafka-topic": event_cls.topic.name,
        **schema,
    }
    return json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def drifted(directory: Path = SCHEMA_DIR) -> list[str]:
    """Names of schema files that are missing or differ from the models."""
    return [
        schema_file(cls)
        for cls in ALL_EVENTS
        if not (directory / schema_file(cls)).is_file()
        or (directory / schema_file(cls)).read_text() != render(cls)
    ]


def write(directory: Path = SCHEMA_DIR) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for cls in ALL_EVENTS:
        (directory / schema_file(cls)).write_text(render(cls))


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "check"
    if command == "write":
        write()
    elif stale := drifted():
        sys.exit(f"schemas drifted from the models: {', '.join(stale)}; run `make schemas`")
