"""The committed JSON Schemas are what the models say."""

import json

from gegenstrom_contracts import schemas
from gegenstrom_contracts.catalog import ALL_EVENTS


def test_committed_schemas_match_the_models():
    assert schemas.drifted() == [], "run `make schemas` and commit the result"


def test_drift_is_detected(tmp_path):
    schemas.write(tmp_path)
    target = tmp_path / schemas.schema_file(ALL_EVENTS[0])
    data = json.loads(target.read_text())
    data["required"].pop()
    target.write_text(json.dumps(data))
    assert schemas.drifted(tmp_path) == [target.name]


def test_schemas_name_the_topic_and_the_event_type():
    for event_cls in ALL_EVENTS:
        schema = json.loads(schemas.render(event_cls))
        assert schema["x-cloudevents-type"] == event_cls.event_type
        assert schema["x-kafka-topic"] == event_cls.topic.name
        assert schema["x-kafka-topic"].endswith(".v1")
