"""addons against its reference: one table blended from the cart, cheap items only."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from edge.scoring import addons, sorted_unique
from edge.scoring.reference import addons_reference
from tests.scoring.arrays import read_only, stacked_offsets

SETTINGS = settings(max_examples=80, deadline=None)
INF = float("inf")
NONE = np.empty(0, dtype=np.int32)


def shop(rng: np.random.Generator, n: int, n_tables: int, max_row: int) -> tuple[np.ndarray, ...]:
    """Stacked CSR plus in_stock, price (some NaN) and category, all read-only."""
    indptr, total = stacked_offsets(rng, n, n_tables, max_row)
    indices = rng.integers(0, n, size=total).astype(np.int32)
    scores = rng.choice(np.array([0.25, 0.5, 1.0], dtype=np.float32), size=total)
    in_stock = rng.random(n) < 0.8
    price = rng.choice(np.array([1.0, 5.0, 9.5, 20.0, np.nan], dtype=np.float32), size=n)
    category = rng.integers(-1, 4, size=n).astype(np.int32)
    arrays = (indptr, indices, scores, in_stock, price, category)
    read_only(*arrays)
    return arrays


@SETTINGS
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 40), n_tables=st.integers(1, 3),
       max_row=st.integers(0, 8), table=st.integers(-1, 3), n_cart=st.integers(0, 8),
       price_cap=st.sampled_from([INF, 9.5, 5.0, 0.0, float("nan")]), k=st.integers(-1, 20))
def test_matches_reference(seed: int, n: int, n_tables: int, max_row: int, table: int, n_cart: int,
                           price_cap: float, k: int) -> None:
    rng = np.random.default_rng(seed)
    indptr, indices, scores, in_stock, price, category = shop(rng, n, n_tables, max_row)
    cart = rng.integers(-1, n + 1, size=n_cart).astype(np.int32)
    cart_weights = rng.choice(np.array([0.0, 1.0, 2.0], dtype=np.float32), size=n_cart)
    exclude = sorted_unique(cart)
    args = (indptr, indices, scores, table, cart, cart_weights, in_stock, price, category, exclude, price_cap,
            k)
    ids, got_scores = addons(*args)
    assert ids.dtype == np.int32 and got_scores.dtype == np.float32
    want_ids, want_scores = addons_reference(*args)
    np.testing.assert_array_equal(ids, want_ids)
    np.testing.assert_allclose(got_scores, want_scores, rtol=1e-5)


def small() -> tuple[np.ndarray, ...]:
    # Table 0: 0 -> [1, 2, 3], 1 -> [2]; table 1: 0 -> [4].
    indptr = np.array([[0, 3, 4, 4, 4, 4], [4, 5, 5, 5, 5, 5]], dtype=np.int64)
    indices = np.array([1, 2, 3, 2, 4], dtype=np.int32)
    scores = np.array([0.9, 0.5, 0.4, 0.3, 1.0], dtype=np.float32)
    in_stock = np.array([True, True, True, False, True])
    price = np.array([50.0, 5.0, np.nan, 2.0, 1.0], dtype=np.float32)
    category = np.zeros(5, dtype=np.int32)
    arrays = (indptr, indices, scores, in_stock, price, category)
    read_only(*arrays)
    return arrays


def call(table: int, cart: list[int], exclude: list[int], price_cap: float, k: int) -> list[int]:
    indptr, indices, scores, in_stock, price, category = small()
    cart_arr = np.array(cart, dtype=np.int32)
    ids, _ = addons(indptr, indices, scores, table, cart_arr, np.ones(len(cart), dtype=np.float32), in_stock,
                    price, category, np.array(exclude, dtype=np.int32), price_cap, k)
    return ids.tolist()


def test_rules() -> None:
    # 2 has an unknown price, 3 is out of stock.
    assert call(0, [0], [0], INF, 10) == [1]
    assert call(0, [0], [0], 4.0, 10) == []
    assert call(0, [0, 1], [0, 1], INF, 10) == []
    assert call(1, [0], [0], INF, 10) == [4]
    assert call(0, [1], [], INF, 10) == []


def test_empty_results() -> None:
    assert call(0, [], [], INF, 10) == []     # empty cart
    assert call(0, [0], [0], INF, 0) == []    # k = 0
    assert call(2, [0], [0], INF, 10) == []   # no such table
    assert call(-1, [0], [0], INF, 10) == []
    assert call(0, [3], [], INF, 10) == []    # item without neighbours
