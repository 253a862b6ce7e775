"""Prometheus metrics. Children with fixed labels are bound once, so a request pays for an
increment and an observation, not for label lookups."""

from __future__ import annotations

import time
from functools import cache
from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from edge.schemas import PAGE_SLOTS

if TYPE_CHECKING:
    from edge.cache import ResponseCache

# Request latency from tens of microseconds (the kernels) to a second (something is wrong).
BUCKETS = (0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0)


class Metrics:
    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        r = self.registry
        self.requests = Counter("skylt_requests", "Recommend requests by page and status.", ["page", "status"],
                                registry=r)
        self.latency = Histogram("skylt_request_seconds", "Recommend latency inside the server, by page.",
                                 ["page"], buckets=BUCKETS, registry=r)
        self.slot_latency = Histogram("skylt_slot_seconds", "Time to fill one slot.", ["page", "slot"],
                                      buckets=BUCKETS, registry=r)
        self.slot_items = Counter("skylt_slot_items", "Items returned, by page and slot.", ["page", "slot"],
                                  registry=r)
        self.unknown_ids = Counter("skylt_unknown_ids", "Ids in requests that the snapshot does not know.",
                                   registry=r)
        self.not_modified = Counter("skylt_not_modified", "GET requests answered 304 from the ETag.", registry=r)
        self.events_accepted = Counter("skylt_events_accepted", "Ingested events written to the event log.",
                                       registry=r)
        self.events_rejected = Counter("skylt_events_rejected", "Ingested events rejected as invalid.", registry=r)
        self.swaps = Counter("skylt_snapshot_swaps", "Snapshots swapped in, by outcome.", ["outcome"], registry=r)
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
        self.response_cache = Counter("skylt_response_cache", "GET /v1/recommend by response cache outcome: "
                                      "hit, miss (computed and stored), bypass (a known customer: never stored).",
                                      ["result"], registry=r)
        self.cache_hits = self.response_cache.labels("hit")
        self.cache_misses = self.response_cache.labels("miss")
        self.cache_bypasses = self.response_cache.labels("bypass")
        self._cache: ResponseCache | None = None
        Gauge("skylt_response_cache_entries", "Answers in this worker's response cache.",
              registry=r).set_function(lambda: len(self._cache) if self._cache is not None else 0)
        Gauge("skylt_response_cache_bytes", "Bytes this worker's response cache holds (at most response_cache_bytes).",
              registry=r).set_function(lambda: self._cache.bytes if self._cache is not None else 0)
        self._built_at = 0.0
        Gauge("skylt_snapshot_age_seconds", "Seconds since the served snapshot was built.",
              registry=r).set_function(lambda: time.time() - self._built_at if self._built_at else 0.0)

    @cache  # noqa: B019 - one Metrics per app, a handful of pages and slots
    def page(self, page: str) -> tuple[Histogram, dict[str, tuple[Histogram, Counter]]]:
        slots = {s: (self.slot_latency.labels(page, s), self.slot_items.labels(page, s)) for s in PAGE_SLOTS[page]}
        return self.latency.labels(page), slots

    @cache  # noqa: B019 - as above
    def served(self, page: str) -> tuple[Counter, Histogram]:
        """The 200 counter and the latency histogram of ``page``."""
        return self.requests.labels(page, "200"), self.latency.labels(page)

    def watch_cache(self, response_cache: ResponseCache) -> None:
        self._cache = response_cache

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
