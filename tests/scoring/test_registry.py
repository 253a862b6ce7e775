"""The package surface: exports, the strategy registry and warm_up."""

from __future__ import annotations

import numpy as np

import edge.scoring as scoring
from edge.scoring import (
    STRATEGIES,
    addons,
    blend,
    diversify,
    eligible,
    from_ranked,
    rank,
    recency_weights,
    sorted_unique,
    top_k,
    warm_up,
)

KERNELS = (addons, blend, diversify, eligible, from_ranked, rank, recency_weights, sorted_unique, top_k)


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


def test_exports() -> None:
    assert set(scoring.__all__) >= {k.__name__ for k in KERNELS} | {"STRATEGIES", "warm_up"}


def test_registry_names() -> None:
    assert {"blend": blend, "rank": rank, "from_ranked": from_ranked, "addons": addons} == STRATEGIES
    assert all(callable(fn) for fn in STRATEGIES.values())


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
    addons(indptr, indices, scores, 2, history, weights, in_stock, price, category, exclude, 50.0, 4)
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
