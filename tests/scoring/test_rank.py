"""rank and from_ranked against their references: filter -> top-k -> diversify."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from edge.scoring import from_ranked, rank, sorted_unique
from edge.scoring.reference import from_ranked_reference, rank_reference
from tests.scoring.arrays import read_only

SETTINGS = settings(max_examples=60, deadline=None)
INF = float("inf")
NONE = np.empty(0, dtype=np.int32)


def catalog(rng: np.random.Generator, n: int, n_categories: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    in_stock = rng.random(n) < 0.8
    price = rng.choice(np.array([5.0, 10.0, 20.0, 40.0, 80.0, np.nan], dtype=np.float32), size=n)
    category = rng.integers(-1, n_categories, size=n).astype(np.int32)
    read_only(in_stock, price, category)
    return in_stock, price, category


def candidates(rng: np.random.Generator, n_items: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Unique ids (a few outside the catalog) with many tied scores."""
    ids = rng.permutation(np.arange(-2, n_items + 2))[:n].astype(np.int32)
    scores = rng.random(len(ids)).astype(np.float32)
    tied = rng.random(len(ids)) < 0.4
    scores[tied] = rng.choice(np.array([0.5, 1.0], dtype=np.float32), size=int(tied.sum()))
    return ids, scores


def assert_same_ranking(got: tuple[np.ndarray, np.ndarray], want: tuple[np.ndarray, np.ndarray]) -> None:
    ids, scores = got
    assert ids.dtype == np.int32 and scores.dtype == np.float32
    np.testing.assert_array_equal(ids, want[0])
    np.testing.assert_allclose(scores, want[1], rtol=1e-5)


BAND = st.sampled_from([(-INF, INF), (10.0, 20.0), (-INF, 10.0), (40.0, INF), (20.0, 20.0), (np.nan, 40.0)])


@st.composite
def rules(draw: st.DrawFn, n_items: int, n_categories: int, rng: np.random.Generator) -> tuple[object, ...]:
    """(exclude, price_lo, price_hi, cat_allow, cat_deny, max_per_category)."""
    lo, hi = draw(BAND)
    excluded = rng.integers(0, n_items, size=draw(st.integers(0, n_items))).astype(np.int32)
    allow = rng.integers(-1, n_categories, size=draw(st.integers(0, 2))).astype(np.int32)
    deny = rng.integers(-1, n_categories, size=draw(st.integers(0, 2))).astype(np.int32)
    return sorted_unique(excluded), lo, hi, allow, deny, draw(st.integers(-1, 3))


def check_rank(rng: np.random.Generator, data: st.DataObject, n_items: int, n: int, n_categories: int,
               k: int) -> None:
    in_stock, price, category = catalog(rng, n_items, n_categories)
    ids, scores = candidates(rng, n_items, n)
    args = (*data.draw(rules(n_items, n_categories, rng)), k)
    assert_same_ranking(rank(ids, scores, in_stock, price, category, *args),
                        rank_reference(ids, scores, in_stock, price, category, *args))


@SETTINGS
@given(seed=st.integers(0, 2**32 - 1), n_items=st.integers(1, 40), n=st.integers(0, 45),
       n_categories=st.integers(1, 6), k=st.integers(-1, 50), data=st.data())
def test_rank_small_matches_reference(seed: int, n_items: int, n: int, n_categories: int, k: int,
                                      data: st.DataObject) -> None:
    check_rank(np.random.default_rng(seed), data, n_items, n, n_categories, k)


@SETTINGS
@given(seed=st.integers(0, 2**32 - 1), n_items=st.integers(300, 4000), fraction=st.floats(0.1, 1.0),
       n_categories=st.sampled_from([2, 5, 50]), k=st.sampled_from([1, 8, 12, 40, 200]), data=st.data())
def test_rank_large_matches_reference(seed: int, n_items: int, fraction: float, n_categories: int, k: int,
                                      data: st.DataObject) -> None:
    # Enough candidates for score bands; strict filters and few categories force several.
    check_rank(np.random.default_rng(seed), data, n_items, max(256, int(n_items * fraction)), n_categories, k)


def test_rank_digs_through_bands_for_a_rare_category() -> None:
    rng = np.random.default_rng(5)
    n = 5000
    in_stock = np.ones(n, dtype=bool)
    price = np.full(n, 10.0, dtype=np.float32)
    category = np.where(rng.random(n) < 0.003, 7, 1).astype(np.int32)
    read_only(in_stock, price, category)
    ids = rng.permutation(n).astype(np.int32)
    scores = rng.random(n).astype(np.float32)
    allow = np.array([7], dtype=np.int32)
    for limit in (0, 2):
        args = (NONE, -INF, INF, allow, NONE, limit, 10)
        got = rank(ids, scores, in_stock, price, category, *args)
        assert_same_ranking(got, rank_reference(ids, scores, in_stock, price, category, *args))
        assert len(got[0]) == min(10, 2 if limit else int((category == 7).sum()))


def test_rank_diversity_walks_past_a_crowded_category() -> None:
    n = 1000
    in_stock = np.ones(n, dtype=bool)
    price = np.full(n, 1.0, dtype=np.float32)
    category = np.zeros(n, dtype=np.int32)
    category[::100] = np.arange(10)  # all but every 100th item share category 0
    read_only(in_stock, price, category)
    ids = np.arange(n, dtype=np.int32)
    scores = np.linspace(1.0, 0.0, n, dtype=np.float32)
    got = rank(ids, scores, in_stock, price, category, NONE, -INF, INF, NONE, NONE, 1, 10)
    assert got[0].tolist() == [0, *range(100, 1000, 100)]


def test_rank_edge_cases() -> None:
    in_stock = np.array([True, True, False])
    price = np.array([1.0, np.nan, 1.0], dtype=np.float32)
    category = np.array([0, 0, 1], dtype=np.int32)
    read_only(in_stock, price, category)
    ids = np.array([0, 1, 2], dtype=np.int32)
    scores = np.array([0.1, 0.9, 0.5], dtype=np.float32)
    for got in (rank(ids, scores, in_stock, price, category, NONE, -INF, INF, NONE, NONE, 0, 0),
                rank(ids[:0], scores[:0], in_stock, price, category, NONE, -INF, INF, NONE, NONE, 0, 5),
                rank(ids, scores, in_stock, price, category, ids, -INF, INF, NONE, NONE, 0, 5)):
        assert got[0].dtype == np.int32 and got[1].dtype == np.float32
        assert got[0].shape == got[1].shape == (0,)
    # The NaN price only matters once a band is set.
    got = rank(ids, scores, in_stock, price, category, NONE, -INF, INF, NONE, NONE, 0, 5)
    assert got[0].tolist() == [1, 0]
    got = rank(ids, scores, in_stock, price, category, NONE, 0.0, INF, NONE, NONE, 0, 5)
    assert got[0].tolist() == [0]


def test_rank_read_only_everything() -> None:
    rng = np.random.default_rng(9)
    in_stock, price, category = catalog(rng, 500, 5)
    ids, scores = candidates(rng, 500, 400)
    exclude = sorted_unique(ids[:5])
    allow, deny = np.array([0, 1, 2], dtype=np.int32), np.array([1], dtype=np.int32)
    read_only(ids, scores, exclude, allow, deny)
    args = (exclude, 5.0, 40.0, allow, deny, 2, 12)
    assert_same_ranking(rank(ids, scores, in_stock, price, category, *args),
                        rank_reference(ids, scores, in_stock, price, category, *args))


@SETTINGS
@given(seed=st.integers(0, 2**32 - 1), n_items=st.integers(1, 300), n=st.integers(0, 320),
       n_categories=st.integers(1, 6), k=st.integers(-1, 40), data=st.data())
def test_from_ranked_matches_reference(seed: int, n_items: int, n: int, n_categories: int, k: int,
                                       data: st.DataObject) -> None:
    rng = np.random.default_rng(seed)
    in_stock, price, category = catalog(rng, n_items, n_categories)
    items, _ = candidates(rng, n_items, n)
    scores = np.sort(rng.random(len(items)).astype(np.float32))[::-1].copy()
    read_only(items, scores)
    args = (*data.draw(rules(n_items, n_categories, rng)), k)
    assert_same_ranking(from_ranked(items, scores, in_stock, price, category, *args),
                        from_ranked_reference(items, scores, in_stock, price, category, *args))


def test_from_ranked_keeps_list_order() -> None:
    in_stock = np.array([True, False, True, True, True])
    price = np.array([3.0, 3.0, np.nan, 3.0, 3.0], dtype=np.float32)
    category = np.array([1, 1, 1, 1, 2], dtype=np.int32)
    read_only(in_stock, price, category)
    items = np.array([4, 3, 2, 1, 0], dtype=np.int32)
    scores = np.array([5.0, 4.0, 3.0, 2.0, 1.0], dtype=np.float32)
    got = from_ranked(items, scores, in_stock, price, category, NONE, -INF, INF, NONE, NONE, 0, 3)
    assert got[0].tolist() == [4, 3, 2]
    assert got[1].tolist() == [5.0, 4.0, 3.0]
    got = from_ranked(items, scores, in_stock, price, category, NONE, 0.0, INF, NONE, NONE, 1, 5)
    assert got[0].tolist() == [4, 3]
    got = from_ranked(items, scores, in_stock, price, category, NONE, -INF, INF, NONE, NONE, 0, 0)
    assert got[0].shape == (0,)
