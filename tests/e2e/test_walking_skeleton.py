"""One employee input, posted over HTTP, flows through all four services, and the inbox
entry speaks the language that notification looked up from intake at sending time."""

import httpx

from gegenstrom_contracts import topics
from support.company import seed_company
from support.factories import SECRET_TEXT, input_form
from support.kafka_io import header, read_until
from support.tokens import bearer

EVENT_TOPICS = (
    topics.EMPLOYEE_INPUT,
    topics.COMPETENCE_PROFILE,
    topics.LEARNING_PLAN,
    topics.NOTIFICATION,
)


async def english_speaker(intake_url: str) -> str:
    """HR sets up Nordwind Logistik; returns the id of an employee who speaks English."""
    async with httpx.AsyncClient(base_url=intake_url) as http:
        ids = await seed_company(http)
    return ids["1003"]  # Gdańsk, English


async def test_input_flows_to_an_inbox_entry(start_service, namespace, mongo):
    intake = start_service("intake")
    services = {
        "intake": intake,
        "profiling": start_service("profiling"),
        "training_match": start_service("training_match"),
        "notification": start_service("notification", intake_url=intake.url),
    }
    employee = await english_speaker(intake.url)

    async with httpx.AsyncClient() as http:
        response = await http.post(
            f"{services['intake'].url}/v1/employee-inputs",
            json=input_form(employee, site_id="gdansk", role_id="driver"),
            headers=bearer(employee),
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
    assert {r.key for r in chain} == {employee.encode()}
    for record in chain:
        assert SECRET_TEXT.encode() not in record.value
        assert b"Spedition" not in record.value

    inbox = mongo[namespace.database("notification")]["inbox"]
    entry = await inbox.find_one({"recipient_id": employee})
    assert entry is not None and entry["plan_version"] == 1
    assert (entry["language"], entry["title"]) == ("en", "Your learning plan is ready")
    assert "email" not in entry and "nordwind" not in str(entry)

    async with httpx.AsyncClient() as http:
        inbox_url = f"{services['notification'].url}/v1/inbox/{employee}"
        listed = (await http.get(inbox_url, headers=bearer(employee))).json()
    assert [m["id"] for m in listed] == [entry["_id"]]

    async with httpx.AsyncClient() as http:
        metrics = (await http.get(f"{services['profiling'].url}/metrics")).text
    series = f'service="profiling",topic="{namespace.topic(topics.EMPLOYEE_INPUT)}"'
    assert f'gegenstrom_messages_total{{outcome="processed",{series}}} 1.0' in metrics
    assert f'gegenstrom_messages_total{{outcome="dead_lettered",{series}}} 0.0' in metrics
