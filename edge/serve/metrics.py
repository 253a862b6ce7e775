"""Prometheus metrics.

The recommend path's metrics (requests, latency per page and slot, items per slot, unknown
ids, 304s, response cache outcomes) and every other counter are plain values on this worker's
board (edge/serve/board.py) that the event loop bumps without a lock: a worker has one event loop,
and prometheus_client's locked values cost more per request than the response cache's whole
lookup. One collector exports them at scrape time, summed over every worker of the server, in
the usual counter and histogram form. Gauges are prometheus_client's and this worker's: they
describe what it serves now (the snapshot, the overlay generation, its response cache), which
every worker reaches within a poll. Children with fixed labels are bound once, so a request
pays for an increment and an observation, not for label lookups.
"""

from __future__ import annotations

import os
import threading
import time
from bisect import bisect_left
from collections.abc import Callable, Iterator
from functools import cache
from typing import TYPE_CHECKING, Generic, TypeVar

from prometheus_client import CollectorRegistry, Gauge
from prometheus_client.core import CounterMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector

from edge.schemas import PAGE_SLOTS
from edge.serve.board import Board, Key

if TYPE_CHECKING:
    from edge.serve.cache import ResponseCache

C = TypeVar("C")
# Request latency from tens of microseconds (the kernels) to a second (something is wrong).
BUCKETS = (0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0)
# The server's private directory of every worker's board (edge/serve/servers.py sets it); unset in-process.
METRICS_DIR_ENV = "SKYLT_WORKER_METRICS_DIR"


class Tally:
    """A counter only the event loop bumps: one value on the board."""

    __slots__ = ("_at", "_values")

    def __init__(self, board: Board, key: Key) -> None:
        self._values, self._at = board.values, board.allocate(key, 1)

    def inc(self, amount: float = 1.0) -> None:
        self._values[self._at] += amount

    @property
    def value(self) -> float:
        return self._values[self._at]


class Spread:
    """A histogram only the event loop observes: a count per bucket (not yet cumulative), +Inf, then the sum."""

    __slots__ = ("_at", "_sum", "_values")

    def __init__(self, board: Board, key: Key) -> None:
        self._values, self._at = board.values, board.allocate(key, len(BUCKETS) + 2)
        self._sum = self._at + len(BUCKETS) + 1

    def observe(self, seconds: float) -> None:
        values = self._values
        values[self._at + bisect_left(BUCKETS, seconds)] += 1  # le is inclusive, as Prometheus buckets are
        values[self._sum] += seconds


class SlotSpreads:
    """The slots of one page layout (in slot order): their planning-time histograms and item
    counters. One compiled call plans every slot, so each slot observes the same seconds: its
    bucket is found once."""

    __slots__ = ("_counts", "_spreads", "_values")

    def __init__(self, board: Board, pairs: list[tuple[Spread, Tally]]) -> None:
        self._values = board.values
        self._spreads = [(spread._at, spread._sum) for spread, _ in pairs]
        self._counts = [tally._at for _, tally in pairs]

    def observe(self, seconds: float, ends: list[int]) -> None:
        """``ends``: each slot's item end (the count of slot s is ends[s] - ends[s - 1])."""
        values = self._values
        bucket = bisect_left(BUCKETS, seconds)
        for at, total in self._spreads:
            values[at + bucket] += 1
            values[total] += seconds
        start = 0
        for at, end in zip(self._counts, ends, strict=True):
            values[at] += end - start
            start = end


class _Family(Generic[C]):
    """Children by label values, exported under one name (``metric`` in the subclasses) from the summed board."""

    make: Callable[[Board, Key], C]

    def __init__(self, board: Board, name: str, documentation: str, labels: tuple[str, ...]) -> None:
        self.board, self.name, self.documentation, self.labels = board, name, documentation, labels
        self.children: dict[tuple[str, ...], C] = {}

    def child(self, *values: str) -> C:
        found = self.children.get(values)
        if found is None:
            found = self.children[values] = type(self).make(self.board, (self.name, *values))
        return found

    def mine(self, totals: dict[Key, list[float]]) -> Iterator[tuple[tuple[str, ...], list[float]]]:
        for key, values in sorted(totals.items()):
            if key[0] == self.name and len(key) == len(self.labels) + 1:
                yield key[1:], values


class _Tallies(_Family[Tally]):
    make = Tally

    def metric(self, totals: dict[Key, list[float]]) -> Metric:
        counter = CounterMetricFamily(self.name, self.documentation, labels=self.labels)
        for values, (total,) in self.mine(totals):
            counter.add_metric(values, total)
        return counter


class _Spreads(_Family[Spread]):
    make = Spread

    def metric(self, totals: dict[Key, list[float]]) -> Metric:
        histogram = HistogramMetricFamily(self.name, self.documentation, labels=self.labels)
        for values, spread in self.mine(totals):
            cumulative, total = [], 0.0
            for bound, n in zip((*map(str, BUCKETS), "+Inf"), spread[:-1], strict=True):
                total += n
                cumulative.append((bound, total))
            histogram.add_metric(values, cumulative, spread[-1])
        return histogram


class _BoardMetrics(Collector):
    def __init__(self, board: Board, families: list[_Tallies | _Spreads]) -> None:
        self.board, self.families = board, families

    def collect(self) -> Iterator[Metric]:
        totals = self.board.totals()
        for family in self.families:
            yield family.metric(totals)


class Metrics:
    def __init__(self, registry: CollectorRegistry | None = None, directory: str | None = None) -> None:
        """``directory``: where every worker's board lives; default: the server's (METRICS_DIR_ENV), if any."""
        self.registry = registry or CollectorRegistry()
        r = self.registry
        board = self.board = Board(directory if directory is not None else os.environ.get(METRICS_DIR_ENV))
        self.requests = _Tallies(board, "skylt_requests", "Recommend requests by page and status.", ("page", "status"))
        self.latency = _Spreads(board, "skylt_request_seconds", "Recommend latency inside the server, by page.",
                                ("page",))
        self.slot_latency = _Spreads(board, "skylt_slot_seconds", "Time to plan the page a slot was on.",
                                     ("page", "slot"))
        self.slot_items = _Tallies(board, "skylt_slot_items", "Items returned, by page and slot.", ("page", "slot"))
        unknown = _Tallies(board, "skylt_unknown_ids", "Ids in requests that the snapshot does not know.", ())
        not_modified = _Tallies(board, "skylt_not_modified", "GET requests answered 304 from the ETag.", ())
        unsigned = _Tallies(board, "skylt_unverified_users", "Requests and events whose `user` came without a "
                            "valid user_token, served or stored without it.", ("path",))
        self.unverified_requests = unsigned.child("recommend")
        self.unverified_events = unsigned.child("events")
        self.unknown_ids = unknown.child()
        self.not_modified = not_modified.child()
        accepted = _Tallies(board, "skylt_events_accepted", "Ingested events written to the event log.", ())
        rejected = _Tallies(board, "skylt_events_rejected", "Ingested events rejected as invalid.", ())
        self.events_accepted, self.events_rejected = accepted.child(), rejected.child()
        self.swaps = _Tallies(board, "skylt_snapshot_swaps", "Snapshots swapped in, by outcome.", ("outcome",))
        self.state_errors = _Tallies(board, "skylt_state_errors", "Calls to the shared state store (state_url) "
                                     "that failed, by operation: reads went on without it, writes answered 503.",
                                     ("op",))
        self._state_lock = threading.Lock()  # state store calls also fail in worker threads
        self.snapshot_info = Gauge("skylt_snapshot_info", "The snapshot being served (value 1).", ["version"],
                                   registry=r)
        self.snapshot_built = Gauge("skylt_snapshot_built_timestamp_seconds", "When the served snapshot was built.",
                                    registry=r)
        self.snapshot_items = Gauge("skylt_snapshot_items", "Items in the served snapshot.", registry=r)
        self.overlay_generation = Gauge("skylt_overlay_generation", "Catalog overlay generation this worker applies.",
                                        registry=r)
        self.overlay_items = Gauge("skylt_overlay_items", "Items the catalog overlay overrides (known or not).",
                                   registry=r)
        # Every GET /v1/recommend the response cache looked up (none while it is disabled): served from it,
        # computed and stored, or computed and not storable (a known customer's answer).
        outcomes = _Tallies(board, "skylt_response_cache", "GET /v1/recommend by response cache outcome: hit, miss "
                            "(computed and stored), bypass (a known customer: never stored).", ("result",))
        self.cache_hits = outcomes.child("hit")
        self.cache_misses = outcomes.child("miss")
        self.cache_bypasses = outcomes.child("bypass")
        r.register(_BoardMetrics(board, [self.requests, self.latency, self.slot_latency, self.slot_items, unknown,
                                         not_modified, outcomes, unsigned, accepted, rejected, self.swaps,
                                         self.state_errors]))
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

    @cache  # noqa: B019 - as above; a handful of slot subsets per page in practice
    def slots(self, page: str, slots: tuple[str, ...]) -> SlotSpreads:
        """The per-slot metrics of ``slots`` on ``page``, in that order."""
        _, by_slot = self.page(page)
        return SlotSpreads(self.board, [by_slot[s] for s in slots])

    @cache  # noqa: B019 - as above
    def served(self, page: str) -> tuple[Tally, Spread]:
        """The 200 counter and the latency histogram of ``page``."""
        return self.requests.child(page, "200"), self.latency.child(page)

    def watch_cache(self, response_cache: ResponseCache) -> None:
        self._cache = response_cache

    def state_failed(self, op: str) -> None:
        with self._state_lock:
            self.state_errors.child(op).inc()

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
