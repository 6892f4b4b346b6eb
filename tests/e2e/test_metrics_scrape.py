"""One employee input through the four services as processes, then what operators see:
every service's /metrics with the named series, and the input's correlation id in each
service's JSON log lines."""

import asyncio
import json
import time

import httpx
from prometheus_client.parser import text_string_to_metric_families

from gegenstrom_contracts import topics
from support.company import ROLLOUT_ID, seed_company
from support.factories import input_form
from support.tokens import bearer
from support.waiting import count_reaches

CONSUMED = {
    "profiling": topics.EMPLOYEE_INPUT,
    "training_match": topics.COMPETENCE_PROFILE,
    "notification": topics.LEARNING_PLAN,
}
FAST = {"gauges_interval_s": "0.5"}


def samples(text: str) -> list[tuple[str, dict[str, str], float]]:
    return [
        (s.name, s.labels, s.value)
        for family in text_string_to_metric_families(text)
        for s in family.samples
    ]


def value(series, name: str, **labels: str) -> float | None:
    found = [v for n, ls, v in series if n == name and labels.items() <= ls.items()]
    assert len(found) <= 1, (name, labels, found)
    return found[0] if found else None


def json_lines(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.startswith("{")]


async def scrape_until(url: str, ready, timeout_s: float = 30) -> list:
    deadline = time.monotonic() + timeout_s
    async with httpx.AsyncClient() as http:
        while True:
            series = samples((await http.get(f"{url}/metrics")).text)
            if ready(series) or time.monotonic() > deadline:
                return series
            await asyncio.sleep(0.2)


async def test_metrics_and_logs_follow_one_input(start_service, namespace, mongo):
    intake = start_service("intake", **FAST)
    services = {
        "intake": intake,
        "profiling": start_service("profiling", **FAST),
        "training_match": start_service("training_match", **FAST),
        "notification": start_service("notification", intake_url=intake.url),
    }
    async with httpx.AsyncClient(base_url=intake.url) as http:
        ids = await seed_company(http, employees=9)  # 6 in Hamburg, 3 in Gdańsk
        employee = ids["1003"]
        response = await http.post(
            "/v1/employee-inputs",
            json=input_form(employee, site_id="gdansk", role_id="driver"),
            headers=bearer(employee),
        )
    assert response.status_code == 201, response.text
    correlation = response.json()["event_id"]
    inbox = mongo[namespace.database("notification")]["inbox"]
    await count_reaches(lambda: inbox.count_documents({"recipient_id": employee}), 1)

    scraped = {}
    for name, process in services.items():
        topic = CONSUMED.get(name)
        qualified = namespace.topic(topic) if topic else None

        def ready(series, name=name, qualified=qualified) -> bool:
            lag_ok = (
                qualified is None
                or value(series, "gegenstrom_consumer_lag", topic=qualified, partition="0")
                is not None
            )
            done = qualified is None or value(
                series, "gegenstrom_messages_total", topic=qualified, outcome="processed"
            )
            in_scope = name != "intake" or value(
                series, "gegenstrom_rollout_employees_in_scope", rollout=ROLLOUT_ID
            )
            return bool(lag_ok and done and in_scope)

        scraped[name] = await scrape_until(process.url, ready)

    for name, series in scraped.items():
        mongo_calls = sum(
            v
            for n, ls, v in series
            if n == "gegenstrom_mongo_seconds_count" and ls["service"] == name
        )
        assert mongo_calls > 0, name
        assert value(series, "gegenstrom_outbox_pending", service=name) == 0
        for n, _, v in series:
            if n.startswith("gegenstrom_rollout_"):
                assert v >= 5 or n.endswith(("share", "eur")), (name, n, v)
        topic = CONSUMED.get(name)
        if topic is None:
            continue
        qualified = namespace.topic(topic)
        series_of = {"service": name, "topic": qualified}
        assert value(series, "gegenstrom_messages_total", **series_of, outcome="processed") >= 1
        for outcome in ("duplicate", "retried", "dead_lettered"):
            assert value(series, "gegenstrom_messages_total", **series_of, outcome=outcome) == 0
        assert value(series, "gegenstrom_processing_seconds_count", **series_of) >= 1
        assert value(series, "gegenstrom_dlq_records_total", **series_of) == 0
        lags = [
            v for n, ls, v in series if n == "gegenstrom_consumer_lag" and ls["topic"] == qualified
        ]
        assert len(lags) == topic.partitions and all(lag >= 0 for lag in lags), lags

    published = namespace.topic(topics.EMPLOYEE_INPUT)
    intake_series = scraped["intake"]
    assert value(intake_series, "gegenstrom_events_published_total", topic=published) >= 1
    # One input, one profile, one plan: fewer than k people, so not exported at all.
    assert value(intake_series, "gegenstrom_rollout_inputs", rollout=ROLLOUT_ID) is None
    assert value(scraped["profiling"], "gegenstrom_rollout_profiles", rollout=ROLLOUT_ID) is None
    assert value(scraped["training_match"], "gegenstrom_rollout_plans", rollout=ROLLOUT_ID) is None
    hamburg = {"rollout": ROLLOUT_ID, "site": "hamburg"}
    assert value(intake_series, "gegenstrom_rollout_employees_in_scope", **hamburg) == 6
    gdansk = {"rollout": ROLLOUT_ID, "site": "gdansk"}
    assert value(intake_series, "gegenstrom_rollout_employees_in_scope", **gdansk) is None

    for name, process in services.items():
        lines = json_lines(process.log_path)
        assert lines and all(
            {"time", "level", "service", "logger", "message"} <= set(x) for x in lines
        )
        followed = [x for x in lines if x.get("correlation_id") == correlation]
        assert followed, f"{name}: no line with {correlation}: {process.log_tail()}"
        assert {x["service"] for x in followed} == {name}
