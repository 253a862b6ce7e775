"""eligible and sorted_unique against their references, plus the rules one by one."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from edge.scoring import eligible, sorted_unique
from edge.scoring.reference import eligible_reference, sorted_unique_reference
from tests.scoring.arrays import read_only

SETTINGS = settings(max_examples=80, deadline=None)
INF = float("inf")
NONE = np.empty(0, dtype=np.int32)
BOUNDS = st.sampled_from([-INF, INF, 0.0, 10.0, 25.5, 50.0, float("nan")])


def catalog(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """in_stock, price (some NaN, some on round values) and category (some -1), read-only."""
    in_stock = rng.random(n) < 0.7
    price = rng.choice(np.array([0.0, 10.0, 25.5, 50.0, 99.99, np.nan], dtype=np.float32), size=n)
    category = rng.integers(-1, 6, size=n).astype(np.int32)
    read_only(in_stock, price, category)
    return in_stock, price, category


@SETTINGS
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 40), n_ids=st.integers(0, 60), lo=BOUNDS, hi=BOUNDS,
       n_allow=st.integers(0, 3), n_deny=st.integers(0, 3), n_exclude=st.integers(0, 10))
def test_eligible_matches_reference(seed: int, n: int, n_ids: int, lo: float, hi: float, n_allow: int,
                                    n_deny: int, n_exclude: int) -> None:
    rng = np.random.default_rng(seed)
    in_stock, price, category = catalog(rng, n)
    ids = rng.integers(-2, n + 2, size=n_ids).astype(np.int32)
    exclude = sorted_unique(rng.integers(0, n, size=n_exclude).astype(np.int32))
    # Category lists arrive unsorted and may repeat or name unknown (-1).
    allow = rng.integers(-1, 6, size=n_allow).astype(np.int32)
    deny = rng.integers(-1, 6, size=n_deny).astype(np.int32)
    got = eligible(ids, in_stock, price, category, exclude, lo, hi, allow, deny)
    assert got.dtype == np.bool_
    want = eligible_reference(ids, in_stock, price, category, exclude, lo, hi, allow, deny)
    np.testing.assert_array_equal(got, want)


@pytest.fixture
def items() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    in_stock = np.array([True, True, False, True, True])
    price = np.array([10.0, np.nan, 5.0, 9.99, 100.0], dtype=np.float32)
    category = np.array([1, 2, 1, -1, 3], dtype=np.int32)
    read_only(in_stock, price, category)
    return in_stock, price, category


ALL = np.arange(-1, 6, dtype=np.int32)  # includes ids outside the catalog


def kept(mask: np.ndarray) -> list[int]:
    return ALL[mask].tolist()


def test_stock_and_catalog_range(items: tuple[np.ndarray, ...]) -> None:
    assert kept(eligible(ALL, *items, NONE, -INF, INF, NONE, NONE)) == [0, 1, 3, 4]


def test_exclude(items: tuple[np.ndarray, ...]) -> None:
    exclude = np.array([1, 4], dtype=np.int32)
    assert kept(eligible(ALL, *items, exclude, -INF, INF, NONE, NONE)) == [0, 3]


def test_price_band_drops_unknown_prices(items: tuple[np.ndarray, ...]) -> None:
    assert kept(eligible(ALL, *items, NONE, 9.99, 10.0, NONE, NONE)) == [0, 3]
    assert kept(eligible(ALL, *items, NONE, -INF, 50.0, NONE, NONE)) == [0, 3]
    assert kept(eligible(ALL, *items, NONE, 50.0, INF, NONE, NONE)) == [4]
    # No band at all: unknown prices are fine.
    assert 1 in kept(eligible(ALL, *items, NONE, -INF, INF, NONE, NONE))


def test_price_band_compares_in_float32(items: tuple[np.ndarray, ...]) -> None:
    # 9.99 is stored as float32(9.99) < 9.99; a bound typed as 9.99 still matches it.
    assert kept(eligible(ALL, *items, NONE, 9.99, 9.99, NONE, NONE)) == [3]


def test_nan_bound_leaves_that_side_open(items: tuple[np.ndarray, ...]) -> None:
    assert kept(eligible(ALL, *items, NONE, float("nan"), 10.0, NONE, NONE)) == [0, 3]


def test_categories(items: tuple[np.ndarray, ...]) -> None:
    allow = np.array([3, 1, 1], dtype=np.int32)
    assert kept(eligible(ALL, *items, NONE, -INF, INF, allow, NONE)) == [0, 4]
    deny = np.array([1, -1], dtype=np.int32)
    assert kept(eligible(ALL, *items, NONE, -INF, INF, NONE, deny)) == [1, 4]


def test_empty_ids(items: tuple[np.ndarray, ...]) -> None:
    assert eligible(NONE, *items, NONE, -INF, INF, NONE, NONE).shape == (0,)


def test_read_only_request_arrays(items: tuple[np.ndarray, ...]) -> None:
    ids, exclude, allow, deny = ALL.copy(), np.array([0], dtype=np.int32), NONE.copy(), NONE.copy()
    read_only(ids, exclude, allow, deny)
    assert kept(eligible(ids, *items, exclude, -INF, INF, allow, deny)) == [1, 3, 4]


@SETTINGS
@given(st.lists(st.integers(-(2**31), 2**31 - 1), max_size=80) | st.lists(st.integers(-3, 3), max_size=80))
def test_sorted_unique_matches_reference(values: list[int]) -> None:
    ids = np.array(values, dtype=np.int32)
    got = sorted_unique(ids)
    assert got.dtype == np.int32
    np.testing.assert_array_equal(got, sorted_unique_reference(ids))


@settings(max_examples=80, deadline=None)
@given(a=st.lists(st.integers(-5, 40), max_size=20), b=st.lists(st.integers(-5, 40), max_size=20))
def test_union_sorted_matches_reference(a, b):
    from edge.scoring import union_sorted
    from edge.scoring.reference import union_sorted_reference

    exclude = np.unique(np.array(a, dtype=np.int32))
    exclude.flags.writeable = False
    ids = np.array(b, dtype=np.int32)
    got = union_sorted(exclude, ids)
    assert got.dtype == np.int32
    np.testing.assert_array_equal(got, union_sorted_reference(exclude, ids))
