"""Prometheus metrics of the kernel, in a registry of the service's own (served at /metrics)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class KernelMetrics:
    """The event store, relay and consumer figures every service exposes."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        r = self.registry
        self.events_appended = Counter(
            "renovation_events_appended_total", "Events appended to the service's log.",
            ["event_type"], registry=r)
        self.log_position = Gauge(
            "renovation_log_position", "Last position of the service's event log.", registry=r)
        self.relay_position = Gauge(
            "renovation_relay_position", "Last log position the broker acknowledged.", registry=r)
        self.relay_lag = Gauge(
            "renovation_relay_lag_events", "Events appended but not yet acknowledged by the broker.",
            registry=r)
        self.relay_published = Counter(
            "renovation_relay_published_total", "Events the relay published (re-sends included).",
            registry=r)
        self.relay_errors = Counter(
            "renovation_relay_errors_total", "Relay attempts that failed (broker down, timeouts).",
            registry=r)
        self.relay_republish = Counter(
            "renovation_relay_republish_total",
            "Times the broker was found to have lost published events and the log was re-sent.",
            registry=r)
        self.broker_up = Gauge(
            "renovation_relay_broker_up", "1 while the relay reaches the broker.", registry=r)
        self.consumer_events = Counter(
            "renovation_consumer_events_total", "Events received by a consumer, by outcome.",
            ["consumer", "event_type", "outcome"], registry=r)
        self.consumer_lag = Gauge(
            "renovation_consumer_lag_messages", "Messages behind the partition's high watermark.",
            ["consumer", "topic", "partition"], registry=r)
        self.apply_seconds = Histogram(
            "renovation_consumer_apply_seconds", "Time to apply one event, inbox write included.",
            ["consumer"], registry=r,
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5))
        self.dead_letters = Counter(
            "renovation_dlq_events_total", "Events sent to the dead-letter topic.", ["consumer"],
            registry=r)
        self.end_to_end_seconds = Histogram(
            "renovation_event_delivery_seconds",
            "From an event's occurred_at to its being applied by this consumer.", ["consumer"],
            registry=r,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30))
