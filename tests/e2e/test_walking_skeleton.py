"""One employee input, posted over HTTP, flows through all four services."""

import httpx

from gegenstrom_contracts import topics
from support.factories import SECRET_TEXT, input_form
from support.kafka_io import header, read_until
from support.tokens import bearer

PIPELINE = ("intake", "profiling", "training_match", "notification")
EVENT_TOPICS = (
    topics.EMPLOYEE_INPUT,
    topics.COMPETENCE_PROFILE,
    topics.LEARNING_PLAN,
    topics.NOTIFICATION,
)


async def test_input_flows_to_an_inbox_entry(start_service, namespace, mongo):
    services = {name: start_service(name) for name in PIPELINE}

    async with httpx.AsyncClient() as http:
        response = await http.post(
            f"{services['intake'].url}/v1/employee-inputs",
            json=input_form("emp-e2e-1"),
            headers=bearer("emp-e2e-1"),
        )
    assert response.status_code == 201, response.text
    input_event_id = response.json()["event_id"]

    bootstrap = namespace.servers.kafka_bootstrap
    chain = []
    for topic in EVENT_TOPICS:
        records = await read_until(bootstrap, namespace.topic(topic), lambda rs: len(rs) >= 1)
        assert len(records) == 1
        chain.append(records[0])

    assert [header(r, "ce_type") for r in chain] == [
        "org.gegenstrom.intake.employee-input-submitted.v1",
        "org.gegenstrom.profiling.competence-profile-updated.v1",
        "org.gegenstrom.training-match.learning-plan-updated.v1",
        "org.gegenstrom.notification.notification-created.v1",
    ]
    assert header(chain[0], "ce_id") == input_event_id
    assert {header(r, "ce_correlationid") for r in chain[1:]} == {input_event_id}
    assert {r.key for r in chain} == {b"emp-e2e-1"}
    for record in chain:
        assert SECRET_TEXT.encode() not in record.value
        assert b"Laufkarten" not in record.value

    inbox = mongo[namespace.database("notification")]["inbox"]
    entry = await inbox.find_one({"recipient_id": "emp-e2e-1"})
    assert entry is not None and entry["plan_version"] == 1

    async with httpx.AsyncClient() as http:
        inbox_url = f"{services['notification'].url}/v1/inbox/emp-e2e-1"
        listed = (await http.get(inbox_url, headers=bearer("emp-e2e-1"))).json()
    assert [m["id"] for m in listed] == [entry["_id"]]

    async with httpx.AsyncClient() as http:
        metrics = (await http.get(f"{services['profiling'].url}/metrics")).text
    series = f'service="profiling",topic="{namespace.topic(topics.EMPLOYEE_INPUT)}"'
    assert f'gegenstrom_messages_total{{outcome="processed",{series}}} 1.0' in metrics
    assert f'gegenstrom_messages_total{{outcome="dead_lettered",{series}}} 0.0' in metrics
