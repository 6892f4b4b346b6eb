"""Every labelled series exists from the start with 0; small groups are not exported."""

import math

import pytest
from prometheus_client import generate_latest
from pymongo import monitoring

from gegenstrom_contracts import topics
from gegenstrom_runtime.metrics import OUTCOMES, ServiceMetrics
from gegenstrom_runtime.service import Consumes, ServiceSpec, create_service_app

pytestmark = pytest.mark.unit


def sample(metrics: ServiceMetrics, name: str, labels: dict[str, str]) -> float | None:
    return metrics.registry.get_sample_value(name, labels)


def test_a_fresh_service_has_zero_samples_for_every_topic_and_outcome():
    from profiling.settings import ProfilingSettings

    async def handler(envelope) -> None:
        return None

    consumed = [topics.EMPLOYEE_INPUT, topics.ROLLOUT]
    spec = ServiceSpec(
        settings=ProfilingSettings(topic_prefix="t."),
        publishes=[topics.COMPETENCE_PROFILE],
        consumes=lambda infra: [Consumes(t, [], handler) for t in consumed],
    )
    app = create_service_app(spec)
    metrics: ServiceMetrics = app.state.infra.metrics

    for topic in consumed:
        series = {"service": "profiling", "topic": topic.qualified("t.")}
        for outcome in OUTCOMES:
            labels = series | {"outcome": outcome}
            assert sample(metrics, "gegenstrom_messages_total", labels) == 0
        assert sample(metrics, "gegenstrom_processing_seconds_count", series) == 0
        assert sample(metrics, "gegenstrom_dlq_records_total", series) == 0
    published = {"service": "profiling", "topic": "t." + topics.COMPETENCE_PROFILE.name}
    assert sample(metrics, "gegenstrom_events_published_total", published) == 0
    assert sample(metrics, "gegenstrom_outbox_pending", {"service": "profiling"}) == 0
    text = generate_latest(metrics.registry).decode()
    assert 'gegenstrom_processing_seconds_bucket{le="0.005",service="profiling"' in text
    assert "# TYPE gegenstrom_consumer_lag gauge" in text
    assert "# TYPE gegenstrom_rollout_inputs gauge" in text


def test_mongo_listener_observes_commands_by_name():
    metrics = ServiceMetrics("intake")
    listener = metrics.mongo_listener()
    assert isinstance(listener, monitoring.CommandListener)

    class Succeeded:
        command_name = "find"
        duration_micros = 12_000

    listener.succeeded(Succeeded())  # type: ignore[arg-type]
    labels = {"service": "intake", "operation": "find"}
    assert sample(metrics, "gegenstrom_mongo_seconds_count", labels) == 1
    assert sample(metrics, "gegenstrom_mongo_seconds_sum", labels) == pytest.approx(0.012)


def test_rollout_gauges_leave_out_groups_under_k():
    metrics = ServiceMetrics("training-match")
    plans = {("r1", "siegen"): 7, ("r1", "olpe"): 4}
    metrics.set_rollout_gauges("plans", plans, k=5)
    metrics.set_rollout_gauges(
        "in_house_share", {("r1", "siegen"): 0.6, ("r1", "olpe"): 1.0}, people=plans, k=5
    )
    siegen, olpe = {"rollout": "r1", "site": "siegen"}, {"rollout": "r1", "site": "olpe"}
    assert sample(metrics, "gegenstrom_rollout_plans", siegen) == 7
    assert sample(metrics, "gegenstrom_rollout_plans", olpe) is None
    assert sample(metrics, "gegenstrom_rollout_in_house_share", siegen) == 0.6
    assert sample(metrics, "gegenstrom_rollout_in_house_share", olpe) is None

    metrics.set_rollout_gauges("plans", {("r1", "siegen"): 3}, k=5)  # fell under k
    assert sample(metrics, "gegenstrom_rollout_plans", siegen) is None
    metrics.set_rollout_gauges("in_house_share", {("r1", "siegen"): math.nan}, people=plans)
    assert sample(metrics, "gegenstrom_rollout_in_house_share", siegen) is None
