"""Prometheus metrics of one service, on a registry of its own."""

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

OUTCOMES = ("processed", "duplicate", "retried", "dead_lettered")
# Our handlers take ~1-50 ms against a local MongoDB; keep resolution there.
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5)


class ServiceMetrics:
    def __init__(self, service: str) -> None:
        self.service = service
        self.registry = CollectorRegistry()
        self.messages = Counter(
            "gegenstrom_messages_total",
            "Consumed records by outcome.",
            ["service", "topic", "outcome"],
            registry=self.registry,
        )
        self.processing_seconds = Histogram(
            "gegenstrom_message_processing_seconds",
            "Time from receipt of a record to its acknowledgement.",
            ["service", "topic"],
            buckets=LATENCY_BUCKETS,
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

    def init_topic(self, consumed: str | None = None, published: str | None = None) -> None:
        """Create the labelled series at start, so panels show 0 rather than nothing."""
        if consumed:
            for outcome in OUTCOMES:
                self.messages.labels(self.service, consumed, outcome)
            self.processing_seconds.labels(self.service, consumed)
        if published:
            self.published.labels(self.service, published)
        self.outbox_pending.labels(self.service).set(0)
