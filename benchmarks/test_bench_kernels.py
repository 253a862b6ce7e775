"""Kernel work of one product-page request on a 1M-item catalog.

Run with ``pytest benchmarks --benchmark-enable``. The catalog is a synthetic stacked CSR
of 1M items x 50 neighbours x 3 tables (also_viewed, viewed_next, bought_together) held
in read-only arrays, as the server holds its memory-mapped snapshot. Budget: 25 us median.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from edge.scoring import blend, rank, recency_weights, sorted_unique
from tests.scoring.test_registry import warm_up

N_ITEMS = 1_000_000
N_NEIGHBOURS = 50
N_TABLES = 3
HISTORY = 20
INF = float("inf")


def _read_only(*arrays: np.ndarray) -> None:
    for a in arrays:
        a.flags.writeable = False


@pytest.fixture(scope="module")
def catalog() -> dict[str, Any]:
    rng = np.random.default_rng(7)
    rows = N_TABLES * N_ITEMS
    per_table = np.arange(N_ITEMS + 1, dtype=np.int64) * N_NEIGHBOURS
    indptr = np.stack([t * N_ITEMS * N_NEIGHBOURS + per_table for t in range(N_TABLES)])
    indices = rng.integers(0, N_ITEMS, size=rows * N_NEIGHBOURS, dtype=np.int32)
    # Descending within each row: a per-row scale times one shared decay curve.
    decay = np.linspace(1.0, 0.02, N_NEIGHBOURS, dtype=np.float32)
    scale = rng.uniform(0.1, 1.0, size=rows).astype(np.float32)
    scores = (scale[:, None] * decay[None, :]).reshape(-1)
    in_stock = rng.random(N_ITEMS) < 0.9
    price = rng.lognormal(3.5, 1.0, size=N_ITEMS).astype(np.float32)
    price[rng.random(N_ITEMS) < 0.02] = np.nan
    category = rng.integers(0, 500, size=N_ITEMS, dtype=np.int32)
    rankings = rng.permutation(N_ITEMS)[:10_000].astype(np.int32)
    ranking_scores = np.linspace(1.0, 0.0, rankings.size, dtype=np.float32)
    _read_only(indptr, indices, scores, in_stock, price, category, rankings, ranking_scores)
    warm_up(indptr, indices, scores, in_stock, price, category, rankings, ranking_scores)  # compiled before timing
    history = rng.integers(0, N_ITEMS, size=HISTORY, dtype=np.int32)
    return {"indptr": indptr, "indices": indices, "scores": scores, "in_stock": in_stock,
            "price": price, "category": category, "history": history}


def test_product_page(benchmark: Any, catalog: dict[str, Any]) -> None:
    c = catalog
    indptr, indices, scores = c["indptr"], c["indices"], c["scores"]
    in_stock, price, category = c["in_stock"], c["price"], c["category"]
    history = c["history"]
    similar_tables = np.array([1.0, 0.5, 0.0], dtype=np.float32)
    bought_tables = np.array([0.0, 0.0, 1.0], dtype=np.float32)
    no_categories = np.empty(0, dtype=np.int32)

    def product_page() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        weights = recency_weights(HISTORY, 5.0)
        exclude = sorted_unique(history)
        current = float(price[history[-1]])
        ids, summed = blend(indptr, indices, scores, history, weights, similar_tables)
        similar, _ = rank(ids, summed, in_stock, price, category, exclude, -INF, INF,
                          no_categories, no_categories, 2, 12)
        upsell, _ = rank(ids, summed, in_stock, price, category, exclude, current * 1.1, current * 3.0,
                         no_categories, no_categories, 2, 8)
        ids, summed = blend(indptr, indices, scores, history, weights, bought_tables)
        bought, _ = rank(ids, summed, in_stock, price, category, exclude, -INF, INF,
                         no_categories, no_categories, 0, 8)
        return similar, upsell, bought

    similar, _, bought = benchmark(product_page)
    assert len(similar) == 12
    assert len(bought) == 8
