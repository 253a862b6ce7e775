"""Prometheus metrics.

The recommend path's metrics (requests, latency per page and slot, items per slot, unknown
ids, 304s, response cache outcomes) are plain tallies the event loop bumps without a lock:
a worker has one event loop, and prometheus_client's locked values cost more per request
than the response cache's whole lookup. One collector exports them at scrape time in the
usual counter and histogram form. Everything else (events, swaps, snapshot gauges) is a
prometheus_client metric. Children with fixed labels are bound once, so a request pays for
an increment and an observation, not for label lookups.
"""

from __future__ import annotations

import time
from bisect import bisect_left
from collections.abc import Callable, Iterator
from functools import cache
from typing import TYPE_CHECKING, Generic, TypeVar

from prometheus_client import CollectorRegistry, Counter, Gauge
from prometheus_client.core import CounterMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector

from edge.schemas import PAGE_SLOTS

if TYPE_CHECKING:
    from edge.cache import ResponseCache

C = TypeVar("C")
# Request latency from tens of microseconds (the kernels) to a second (something is wrong).
BUCKETS = (0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0)


class Tally:
    """A counter only the event loop bumps."""

    __slots__ = ("value",)

    def __init__(self) -> None:
        self.value = 0.0

    def inc(self, amount: float = 1.0) -> None:
        self.value += amount


class Spread:
    """A histogram only the event loop observes: a count per bucket (not yet cumulative) and the sum."""

    __slots__ = ("counts", "sum")

    def __init__(self) -> None:
        self.counts = [0] * (len(BUCKETS) + 1)  # the last is +Inf
        self.sum = 0.0

    def observe(self, seconds: float) -> None:
        self.counts[bisect_left(BUCKETS, seconds)] += 1  # le is inclusive, as Prometheus buckets are
        self.sum += seconds


class _Family(Generic[C]):
    """Children by label values, exported under one name (``metric`` in the subclasses)."""

    make: Callable[[], C]

    def __init__(self, name: str, documentation: str, labels: tuple[str, ...]) -> None:
        self.name, self.documentation, self.labels = name, documentation, labels
        self.children: dict[tuple[str, ...], C] = {}

    def child(self, *values: str) -> C:
        found = self.children.get(values)
        if found is None:
            found = self.children[values] = self.make()
        return found


class _Tallies(_Family[Tally]):
    make = Tally

    def metric(self) -> Metric:
        counter = CounterMetricFamily(self.name, self.documentation, labels=self.labels)
        for values, tally in self.children.items():
            counter.add_metric(values, tally.value)
        return counter


class _Spreads(_Family[Spread]):
    make = Spread

    def metric(self) -> Metric:
        histogram = HistogramMetricFamily(self.name, self.documentation, labels=self.labels)
        for values, spread in self.children.items():
            cumulative, total = [], 0
            for bound, n in zip((*map(str, BUCKETS), "+Inf"), spread.counts, strict=True):
                total += n
                cumulative.append((bound, float(total)))
            histogram.add_metric(values, cumulative, spread.sum)
        return histogram


class _RequestMetrics(Collector):
    def __init__(self, families: list[_Tallies | _Spreads]) -> None:
        self.families = families

    def collect(self) -> Iterator[Metric]:
        for family in self.families:
            yield family.metric()


class Metrics:
    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        r = self.registry
        self.requests = _Tallies("skylt_requests", "Recommend requests by page and status.", ("page", "status"))
        self.latency = _Spreads("skylt_request_seconds", "Recommend latency inside the server, by page.", ("page",))
        self.slot_latency = _Spreads("skylt_slot_seconds", "Time to plan the page a slot was on.", ("page", "slot"))
        self.slot_items = _Tallies("skylt_slot_items", "Items returned, by page and slot.", ("page", "slot"))
        unknown = _Tallies("skylt_unknown_ids", "Ids in requests that the snapshot does not know.", ())
        not_modified = _Tallies("skylt_not_modified", "GET requests answered 304 from the ETag.", ())
        unsigned = _Tallies("skylt_unverified_users", "Requests and events whose `user` came without a valid "
                            "user_token, served or stored without it.", ("path",))
        self.unverified_requests = unsigned.child("recommend")
        self.unverified_events = unsigned.child("events")
        self.unknown_ids = unknown.child()
        self.not_modified = not_modified.child()
        self.events_accepted = Counter("skylt_events_accepted", "Ingested events written to the event log.",
                                       registry=r)
        self.events_rejected = Counter("skylt_events_rejected", "Ingested events rejected as invalid.", registry=r)
        self.swaps = Counter("skylt_snapshot_swaps", "Snapshots swapped in, by outcome.", ["outcome"], registry=r)
        self.snapshot_info = Gauge("skylt_snapshot_info", "The snapshot being served (value 1).", ["version"],
                                   registry=r)
        self.snapshot_built = Gauge("skylt_snapshot_built_timestamp_seconds", "When the served snapshot was built.",
                                    registry=r)
        self.snapshot_items = Gauge("skylt_snapshot_items", "Items in the served snapshot.", registry=r)
        self.state_errors = Counter("skylt_state_errors", "Calls to the shared state store (state_url) that "
                                    "failed, by operation: reads went on without it, writes answered 503.",
                                    ["op"], registry=r)
        self.overlay_generation = Gauge("skylt_overlay_generation", "Catalog overlay generation this worker applies.",
                                        registry=r)
        self.overlay_items = Gauge("skylt_overlay_items", "Items the catalog overlay overrides (known or not).",
                                   registry=r)
        # Every GET /v1/recommend the response cache looked up (none while it is disabled): served from it,
        # computed and stored, or computed and not storable (a known customer's answer).
        outcomes = _Tallies("skylt_response_cache", "GET /v1/recommend by response cache outcome: hit, miss "
                            "(computed and stored), bypass (a known customer: never stored).", ("result",))
        self.cache_hits = outcomes.child("hit")
        self.cache_misses = outcomes.child("miss")
        self.cache_bypasses = outcomes.child("bypass")
        r.register(_RequestMetrics([self.requests, self.latency, self.slot_latency, self.slot_items, unknown,
                                    not_modified, outcomes, unsigned]))
        self._cache: ResponseCache | None = None
        Gauge("skylt_response_cache_entries", "Answers in this worker's response cache.",
              registry=r).set_function(lambda: len(self._cache) if self._cache is not None else 0)
        Gauge("skylt_response_cache_bytes", "Bytes this worker's response cache holds (at most response_cache_bytes).",
              registry=r).set_function(lambda: self._cache.bytes if self._cache is not None else 0)
        self._built_at = 0.0
        Gauge("skylt_snapshot_age_seconds", "Seconds since the served snapshot was built.",
              registry=r).set_function(lambda: time.time() - self._built_at if self._built_at else 0.0)

    @cache  # noqa: B019 - one Metrics per app, a handful of pages and slots
    def page(self, page: str) -> tuple[Spread, dict[str, tuple[Spread, Tally]]]:
        slots = {s: (self.slot_latency.child(page, s), self.slot_items.child(page, s)) for s in PAGE_SLOTS[page]}
        return self.latency.child(page), slots

    @cache  # noqa: B019 - as above
    def served(self, page: str) -> tuple[Tally, Spread]:
        """The 200 counter and the latency histogram of ``page``."""
        return self.requests.child(page, "200"), self.latency.child(page)

    def watch_cache(self, response_cache: ResponseCache) -> None:
        self._cache = response_cache

    def state_failed(self, op: str) -> None:
        self.state_errors.labels(op).inc()

    def overlay_changed(self, generation: int, items: int) -> None:
        self.overlay_generation.set(generation)
        self.overlay_items.set(items)

    def snapshot_changed(self, version: str, built_at: float, items: int, previous: str | None) -> None:
        if previous is not None:
            self.snapshot_info.remove(previous)
        self.snapshot_info.labels(version).set(1)
        self._built_at = built_at
        self.snapshot_built.set(built_at)
        self.snapshot_items.set(items)
