"""The package surface: exports, and the array types the kernels are compiled for."""

from __future__ import annotations

import numpy as np

import edge.scoring as scoring
from edge.scoring import (
    blend,
    diversify,
    eligible,
    from_ranked,
    rank,
    recency_weights,
    sorted_unique,
    top_k,
)

KERNELS = (blend, diversify, eligible, from_ranked, rank, recency_weights, sorted_unique, top_k)


def snapshot_arrays() -> tuple[np.ndarray, ...]:
    """A tiny catalog as the server holds it: read-only arrays over one shared buffer."""
    n, n_tables, per_row = 50, 3, 4
    rng = np.random.default_rng(0)
    indptr = np.stack([t * n * per_row + np.arange(n + 1, dtype=np.int64) * per_row for t in range(n_tables)])
    indices = rng.integers(0, n, size=n * n_tables * per_row).astype(np.int32)
    scores = np.sort(rng.random((n * n_tables, per_row)).astype(np.float32), axis=1)[:, ::-1].reshape(-1)
    in_stock = rng.random(n) < 0.9
    price = rng.random(n).astype(np.float32) * 100
    category = rng.integers(0, 5, size=n).astype(np.int32)
    items = rng.permutation(n).astype(np.int32)
    ranked = np.linspace(1.0, 0.0, n, dtype=np.float32)
    arrays = (indptr, indices, scores, in_stock, price, category, items, ranked)
    blob = bytearray(b"".join(a.tobytes() for a in arrays))
    view = memoryview(bytes(blob))  # immutable, like an LMDB read transaction's buffer
    out, offset = [], 0
    for a in arrays:
        out.append(np.frombuffer(view, dtype=a.dtype, count=a.size, offset=offset).reshape(a.shape))
        offset += a.nbytes
    return tuple(out)


def warm_up(indptr: np.ndarray, indices: np.ndarray, scores: np.ndarray, in_stock: np.ndarray,
            price: np.ndarray, category: np.ndarray, rankings_items: np.ndarray,
            rankings_scores: np.ndarray) -> None:
    """Every kernel once with served arrays and request-shaped arguments (fresh writable
    int32/float32 arrays, Python scalars)."""
    n_items = indptr.shape[1] - 1
    history = np.arange(min(n_items, 3), dtype=np.int32)
    weights = recency_weights(len(history), 2.0)
    table_weights = np.ones(indptr.shape[0], dtype=np.float32)
    exclude = sorted_unique(history)
    no_categories = np.empty(0, dtype=np.int32)
    inf = float("inf")
    ids, summed = blend(indptr, indices, scores, history, weights, table_weights)
    eligible(ids, in_stock, price, category, exclude, -inf, inf, no_categories, no_categories)
    top, top_scores = top_k(ids, summed, 10)
    diversify(top, top_scores, category, 2, 10)
    rank(ids, summed, in_stock, price, category, exclude, 0.0, inf, no_categories, no_categories, 2, 10)
    from_ranked(rankings_items, rankings_scores, in_stock, price, category, exclude, -inf, inf,
                no_categories, no_categories, 2, 10)


def test_exports() -> None:
    assert set(scoring.__all__) >= {k.__name__ for k in KERNELS}


def test_warm_up_compiles_what_a_request_uses() -> None:
    indptr, indices, scores, in_stock, price, category, items, ranked = arrays = snapshot_arrays()
    assert not any(a.flags.writeable for a in arrays)
    warm_up(*arrays)
    assert all(k.signatures for k in KERNELS)
    compiled = {k: len(k.signatures) for k in KERNELS}

    # A request with fresh request-side arrays and Python scalars needs nothing new.
    history = np.array([3, 7, 7, 11], dtype=np.int32)
    weights = recency_weights(len(history), 3.0)
    exclude = sorted_unique(history)
    no_categories = np.empty(0, dtype=np.int32)
    table_weights = np.array([1.0, 0.5, 0.0], dtype=np.float32)
    ids, summed = blend(indptr, indices, scores, history, weights, table_weights)
    similar, _ = rank(ids, summed, in_stock, price, category, exclude, -np.inf, np.inf, no_categories,
                      np.array([4], dtype=np.int32), 2, 8)
    assert len(similar) > 0
    assert not set(similar.tolist()) & set(history.tolist())
    from_ranked(items, ranked, in_stock, price, category, exclude, 10.0, 90.0, no_categories, no_categories,
                0, 5)
    mask = eligible(ids, in_stock, price, category, exclude, -np.inf, np.inf, no_categories, no_categories)
    top = top_k(ids[mask], summed[mask], 5)
    diversify(*top, category, 1, 5)
    assert {k: len(k.signatures) for k in KERNELS} == compiled


def test_warm_up_on_an_empty_catalog() -> None:
    indptr = np.zeros((2, 1), dtype=np.int64)
    empty_i, empty_f = np.empty(0, dtype=np.int32), np.empty(0, dtype=np.float32)
    arrays = (indptr, empty_i, empty_f, np.empty(0, dtype=bool), empty_f.copy(), empty_i.copy(),
              empty_i.copy(), empty_f.copy())
    for a in arrays:
        a.flags.writeable = False
    warm_up(*arrays)
