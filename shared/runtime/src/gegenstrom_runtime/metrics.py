"""Prometheus metrics of one service, on a registry of its own.

Every labelled series that can be known at start is created at start, so dashboards
show 0 rather than nothing. Domain gauges per rollout and site leave out groups smaller
than k (see ``set_rollout_gauges``): a count of fewer than k people is not exported.
"""

import math
from collections.abc import Mapping

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from pymongo import monitoring

OUTCOMES = ("processed", "duplicate", "retried", "dead_lettered", "erased")
# Records take ~5-200 ms against SecantusDB or MongoDB; keep resolution there.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
MONGO_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5)
K_DEFAULT = 5

# name -> help; all labelled {rollout, site}
ROLLOUT_GAUGES = {
    "employees_in_scope": "Active employees of the site that the rollout concerns.",
    "inputs": "Employee inputs received for the rollout.",
    "profiles": "Competence profiles of the rollout.",
    "plans": "Learning plans of the rollout.",
    "in_house_share": "In-house and self-study items among all gaps of the plans.",
    "external_cost_avoided_eur": "External course cost avoided by learning in-house.",
}


class ServiceMetrics:
    def __init__(self, service: str) -> None:
        self.service = service
        self.registry = CollectorRegistry()
        self.messages = Counter(
            "gegenstrom_messages_total",
            "Consumed records by outcome (retried: a failed attempt that will be retried).",
            ["service", "topic", "outcome"],
            registry=self.registry,
        )
        self.processing_seconds = Histogram(
            "gegenstrom_processing_seconds",
            "Time from receipt of a record to its acknowledgement.",
            ["service", "topic"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.dlq_records = Counter(
            "gegenstrom_dlq_records_total",
            "Records this service sent to <topic>.dlq, by original topic.",
            ["service", "topic"],
            registry=self.registry,
        )
        self.consumer_lag = Gauge(
            "gegenstrom_consumer_lag",
            "Records not yet committed by the service's consumer group, per partition.",
            ["service", "topic", "partition"],
            registry=self.registry,
        )
        self.mongo_seconds = Histogram(
            "gegenstrom_mongo_seconds",
            "MongoDB command latency as the driver sees it, by command name.",
            ["service", "operation"],
            buckets=MONGO_BUCKETS,
            registry=self.registry,
        )
        self.published = Counter(
            "gegenstrom_events_published_total",
            "Events published from the outbox.",
            ["service", "topic"],
            registry=self.registry,
        )
        self.outbox_pending = Gauge(
            "gegenstrom_outbox_pending",
            "Events written but not yet published, as last seen by the relay.",
            ["service"],
            registry=self.registry,
        )
        self.outbox_pending.labels(service).set(0)
        self.rollout = {
            name: Gauge(
                f"gegenstrom_rollout_{name}", text, ["rollout", "site"], registry=self.registry
            )
            for name, text in ROLLOUT_GAUGES.items()
        }

    def init_topic(self, consumed: str | None = None, published: str | None = None) -> None:
        """Create the labelled series at start, so panels show 0 rather than nothing."""
        if consumed:
            for outcome in OUTCOMES:
                self.messages.labels(self.service, consumed, outcome)
            self.processing_seconds.labels(self.service, consumed)
            self.dlq_records.labels(self.service, consumed)
        if published:
            self.published.labels(self.service, published)

    def mongo_listener(self) -> monitoring.CommandListener:
        return _MongoLatency(self)

    def set_rollout_gauges(
        self,
        name: str,
        values: Mapping[tuple[str, str], float],
        people: Mapping[tuple[str, str], int] | None = None,
        k: int = K_DEFAULT,
    ) -> None:
        """Replace the samples of ``gegenstrom_rollout_<name>`` with ``values`` per
        (rollout, site). A cell that describes fewer than ``k`` people (``people``, or the
        value itself when it is a count) is left out, as the works council requires."""
        gauge = self.rollout[name]
        kept = {
            key: value
            for key, value in values.items()
            if (people[key] if people is not None else value) >= k and not math.isnan(value)
        }
        gauge.clear()  # no await between clear and set: a scrape sees all or nothing
        for (rollout, site), value in kept.items():
            gauge.labels(rollout, site).set(value)


class _MongoLatency(monitoring.CommandListener):
    """Observes every command's duration; the label is the command name (a few dozen)."""

    def __init__(self, metrics: ServiceMetrics) -> None:
        self._histogram = metrics.mongo_seconds
        self._service = metrics.service

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        pass

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        self._observe(event.command_name, event.duration_micros)

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        self._observe(event.command_name, event.duration_micros)

    def _observe(self, command: str, micros: int) -> None:
        self._histogram.labels(self._service, command).observe(micros / 1e6)
