"""edge.serve.metrics: the lock-free request metrics export exactly what prometheus_client's would."""

from __future__ import annotations

import random

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest

from edge.serve.metrics import BUCKETS, Metrics


def samples(registry: CollectorRegistry, name: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of the metric family ``name`` (without _created), by sample name and labels."""
    out = {}
    for family in registry.collect():
        if family.name != name:
            continue
        for s in family.samples:
            if not s.name.endswith("_created"):
                out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


def test_histograms_and_counters_match_prometheus_client() -> None:
    rng = random.Random(7)
    values = [rng.choice([*BUCKETS, 0.0, 2.0]) * rng.choice([1.0, 0.5, 1.0000001]) for _ in range(500)]
    metrics = Metrics()
    latency, slots = metrics.page("product")
    requests, _ = metrics.served("product")
    reference = CollectorRegistry()
    want_latency = Histogram("skylt_request_seconds", "x", ["page"], buckets=BUCKETS, registry=reference)
    want_requests = Counter("skylt_requests", "x", ["page", "status"], registry=reference)
    for v in values:
        latency.observe(v)
        requests.inc()
        want_latency.labels("product").observe(v)
        want_requests.labels("product", "200").inc()
    assert samples(metrics.registry, "skylt_request_seconds") == samples(reference, "skylt_request_seconds")
    assert samples(metrics.registry, "skylt_requests") == samples(reference, "skylt_requests")
    assert set(slots) == {"similar", "upsell", "alternatives", "bought_together"}


def test_exposition_names_and_labels() -> None:
    metrics = Metrics()
    _, slots = metrics.page("home")
    seconds, items = slots["for_you"]
    seconds.observe(0.001)
    items.inc(8)
    metrics.unknown_ids.inc(3)
    metrics.cache_hits.inc()
    text = generate_latest(metrics.registry).decode()
    assert 'skylt_slot_seconds_bucket{le="0.001",page="home",slot="for_you"} 1.0' in text
    assert 'skylt_slot_seconds_bucket{le="0.0005",page="home",slot="for_you"} 0.0' in text
    assert 'skylt_slot_items_total{page="home",slot="for_you"} 8.0' in text
    assert "skylt_unknown_ids_total 3.0" in text
    assert 'skylt_response_cache_total{result="hit"} 1.0' in text
    reference = CollectorRegistry()
    Counter("skylt_requests", "x", ["page", "status"], registry=reference).labels("home", "200")
    Histogram("skylt_slot_seconds", "x", ["page", "slot"], registry=reference).labels("home", "for_you")
    types = [line for line in generate_latest(reference).decode().splitlines()
             if line.startswith("# TYPE") and "_created" not in line]
    assert all(t in text for t in types)
