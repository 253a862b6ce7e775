"""How the in-process product-page request path grows with catalog size and history length.

Catalog: synthetic snapshots of 10k, 100k and 1M items, 50 neighbours per item and table, the
same 20-item history. History: 0 to 50 ids (the API's limit) on the 1M-item snapshot. Each
request is ``handle`` of ``test_bench_request.py``: decode, context, plan and splice, response.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

from benchmarks.conftest import N_ITEMS, synthetic_tables_for
from benchmarks.test_bench_request import SETTINGS, handle
from edge.schemas import PAGE_SLOTS
from edge.serve.warm import warm
from edge.slots.served import serve
from edge.store import open_snapshot

CATALOGS = sorted({10_000, 100_000, N_ITEMS})
HISTORIES = (0, 5, 10, 20, 50)
ROTATING = 1000


@pytest.fixture(scope="module")
def snaps() -> Iterator[dict[int, Any]]:
    opened = {}
    try:
        for n in CATALOGS:
            opened[n] = serve(open_snapshot(synthetic_tables_for(n)), SETTINGS)
            warm(opened[n])
        yield opened
    finally:
        for served in opened.values():
            served.snapshot.close()


def product_query(served: Any, history: int, seed: int = 1) -> list[tuple[str, str]]:
    """A product page with ``history`` distinct earlier items, ids spread over the whole catalog;
    the same item and the first ``history`` of the same 50 earlier ids whatever ``history`` is."""
    snap = served.snapshot
    rng = np.random.default_rng(seed)
    ids = [snap.external_id(int(i)) for i in rng.choice(snap.n_items, max(HISTORIES) + 1, replace=False)]
    ids = ids[:history + 1]
    query = [("page", "product"), ("item", ids[0])]
    return [*query, ("history", ",".join(ids[1:]))] if history else query


def _check(body: bytes) -> None:
    assert body.count(b'"id"') >= len(PAGE_SLOTS["product"])


def _size_id(n: int) -> str:
    return f"{n // 1000}k" if n < 10**6 else f"{n / 10**6:g}M"


@pytest.mark.parametrize("n_items", CATALOGS, ids=_size_id)
def test_catalog_size(benchmark: Any, snaps: dict[int, Any], n_items: int) -> None:
    benchmark.group = "product page vs catalog size (history 20)"
    _check(benchmark(handle, snaps[n_items], product_query(snaps[n_items], 20)))


@pytest.mark.parametrize("n_items", CATALOGS, ids=_size_id)
def test_catalog_size_rotating(benchmark: Any, snaps: dict[int, Any], n_items: int) -> None:
    """1,000 different product pages in turn: on a larger catalog they touch rows further apart
    (CPU caches, TLB). Each is served once first, so disk reads are not timed."""
    benchmark.group = "product page vs catalog size, 1,000 rotating pages (history 20)"
    served = snaps[n_items]
    queries = [product_query(served, 20, seed) for seed in range(ROTATING)]
    for query in queries:
        handle(served, query)
    turn = itertools.cycle(queries)
    _check(benchmark(lambda: handle(served, next(turn))))


@pytest.mark.parametrize("history", HISTORIES)
def test_history_length(benchmark: Any, snaps: dict[int, Any], history: int) -> None:
    benchmark.group = f"product page vs history length ({N_ITEMS:,} items)"
    _check(benchmark(handle, snaps[N_ITEMS], product_query(snaps[N_ITEMS], history)))
