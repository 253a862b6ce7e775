from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from edge.build.tables.cooccur import (
    count_pairs,
    directed_pairs,
    group_starts,
    top_k_csr,
    undirected_pairs,
)

from .conftest import as_dict, check_well_formed, row

N_ITEMS = 8
groups_strategy = st.lists(st.lists(st.integers(0, N_ITEMS - 1), min_size=0, max_size=12), max_size=8)


def flatten(groups: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
    items = np.array([i for g in groups for i in g], dtype=np.int32)
    sizes = [len(g) for g in groups if g]
    starts = np.concatenate(([0], np.cumsum(sizes))).astype(np.int64)
    return starts, items


def brute_undirected(groups: list[list[int]], window: int | None, cap: int) -> tuple[Counter, Counter]:
    pairs: Counter = Counter()
    n: Counter = Counter()
    for g in groups:
        distinct = list(dict.fromkeys(g))[:cap]
        n.update(distinct)
        w = len(distinct) if window is None else window
        for p, x in enumerate(distinct):
            for y in distinct[p + 1:p + 1 + w]:
                pairs[(min(x, y), max(x, y))] += 1
    return pairs, n


def brute_directed(groups: list[list[int]], window: int, decay: float,
                   cap: int) -> tuple[dict, Counter, Counter]:
    weight: dict = {}
    count: Counter = Counter()
    n: Counter = Counter()
    for g in groups:
        seq = [x for p, x in enumerate(g) if p == 0 or g[p - 1] != x][:cap]
        n.update(set(seq))
        best: dict = {}
        for p, x in enumerate(seq):
            for d in range(1, window + 1):
                if p + d < len(seq) and seq[p + d] != x:
                    key = (x, seq[p + d])
                    best[key] = max(best.get(key, 0.0), decay ** (d - 1))
        for key, w in best.items():
            weight[key] = weight.get(key, 0.0) + w
            count[key] += 1
    return weight, count, n


def test_group_starts() -> None:
    assert group_starts(np.array([3, 3, 5, 7, 7, 7])).tolist() == [0, 2, 3, 6]
    assert group_starts(np.array([], dtype=np.int64)).tolist() == [0]


@settings(max_examples=60, deadline=None)
@given(groups=groups_strategy, window=st.one_of(st.none(), st.integers(0, 4)), cap=st.integers(1, 6))
def test_undirected_pairs_match_brute_force(groups: list[list[int]], window: int | None, cap: int) -> None:
    starts, items = flatten(groups)
    a, b, n = undirected_pairs(starts, items, N_ITEMS, window=window, max_items=cap)
    expected, expected_n = brute_undirected(groups, window, cap)
    assert (a < b).all()
    assert Counter(zip(a.tolist(), b.tolist(), strict=True)) == expected
    assert n.tolist() == [expected_n[i] for i in range(N_ITEMS)]
    pc = count_pairs(a, b, N_ITEMS)
    got = dict(zip(zip(pc.rows().tolist(), pc.cols.tolist(), strict=True), pc.counts.tolist(), strict=True))
    assert got == dict(expected)
    assert np.array_equal(pc.weight, pc.counts.astype(np.float64))


@settings(max_examples=60, deadline=None)
@given(groups=groups_strategy, window=st.integers(1, 4), cap=st.integers(1, 12))
def test_directed_pairs_match_brute_force(groups: list[list[int]], window: int, cap: int) -> None:
    starts, items = flatten(groups)
    a, b, w, n = directed_pairs(starts, items, N_ITEMS, window=window, decay=0.5, max_items=cap)
    weight, count, expected_n = brute_directed(groups, window, 0.5, cap)
    assert n.tolist() == [expected_n[i] for i in range(N_ITEMS)]
    pc = count_pairs(a, b, N_ITEMS, w)
    keys = list(zip(pc.rows().tolist(), pc.cols.tolist(), strict=True))
    assert dict(zip(keys, pc.counts.tolist(), strict=True)) == dict(count)
    assert dict(zip(keys, pc.weight.tolist(), strict=True)) == pytest.approx(weight)


def test_big_group_is_capped() -> None:
    basket = np.arange(500, dtype=np.int32)
    a, _b, n = undirected_pairs(np.array([0, 500]), basket, 500, max_items=50)
    assert a.shape[0] == 50 * 49 // 2
    assert n[:50].tolist() == [1] * 50 and n[50:].sum() == 0
    a, b, _ = undirected_pairs(np.array([0, 500]), basket, 500, window=3, max_items=500)
    assert a.shape[0] == 497 * 3 + 2 + 1
    assert (b - a).max() == 3


def test_repeats_within_a_group_count_once() -> None:
    a, b, n = undirected_pairs(np.array([0, 6]), np.array([1, 2, 1, 2, 2, 1], np.int32), 3)
    assert list(zip(a.tolist(), b.tolist(), strict=True)) == [(1, 2)]
    assert n.tolist() == [0, 1, 1]


def test_top_k_keeps_best_per_row_ties_by_id() -> None:
    rows = np.array([0, 0, 0, 0, 0, 1, 1, 2])
    cols = np.array([1, 2, 3, 4, 0, 0, 2, 1])
    scores = np.array([0.5, 0.9, 0.5, 0.1, 5.0, 0.3, 0.0, np.nan])
    counts = np.arange(8)
    nb = top_k_csr(rows, cols, scores, counts, 5, 3)
    check_well_formed(nb, 5, 3)
    # The self pair (0, 0) and the zero and NaN scores are dropped.
    assert row(nb, 0) == ([2, 1, 3], pytest.approx([0.9, 0.5, 0.5]), [1, 0, 2])
    assert row(nb, 1) == ([0], pytest.approx([0.3]), [5])
    assert row(nb, 2)[0] == [] and row(nb, 4)[0] == []


def test_top_k_symmetric_mirrors_entries() -> None:
    rng = np.random.default_rng(1)
    n = 30
    a = rng.integers(0, n, 300)
    b = rng.integers(0, n, 300)
    keys = np.unique(np.minimum(a, b) * n + np.maximum(a, b))
    keys = keys[keys // n != keys % n]
    lo, hi = keys // n, keys % n
    scores = rng.random(keys.shape[0]) + 0.01
    counts = rng.integers(1, 9, keys.shape[0])
    sym = top_k_csr(lo, hi, scores, counts, n, n)
    assert sym.indptr[-1] == keys.shape[0]  # without symmetric only the given direction
    full = top_k_csr(lo, hi, scores, counts, n, n, symmetric=True)
    explicit = top_k_csr(np.r_[lo, hi], np.r_[hi, lo], np.r_[scores, scores], np.r_[counts, counts], n, n)
    for name in ("indptr", "indices", "scores", "counts"):
        assert np.array_equal(getattr(full, name), getattr(explicit, name))
    d = as_dict(full)
    assert all(d[(j, i)] == c for (i, j), c in d.items())
    small = top_k_csr(lo, hi, scores, counts, n, 4, symmetric=True)
    check_well_formed(small, n, 4)
    for i in range(n):
        assert row(small, i)[0] == row(full, i)[0][:4]


def test_top_k_transposed_scores() -> None:
    nb = top_k_csr(np.array([0, 0]), np.array([1, 2]), np.array([1.0, 2.0]), np.array([7, 8]), 3, 5,
                   symmetric=True, scores_t=np.array([3.0, 0.0]))
    assert row(nb, 0) == ([2, 1], [2.0, 1.0], [8, 7])
    assert row(nb, 1) == ([0], [3.0], [7])
    assert row(nb, 2) == ([], [], [])


def test_top_k_zero_and_empty() -> None:
    nb = top_k_csr(np.array([0]), np.array([1]), np.array([1.0]), np.array([1]), 2, 0)
    assert nb.indptr.tolist() == [0, 0, 0]
    nb = top_k_csr(np.array([], np.int32), np.array([], np.int32), np.array([]), np.array([], np.int32), 3, 5)
    assert nb.indptr.tolist() == [0, 0, 0, 0] and nb.indices.shape == (0,)
