"""blend and recency_weights against their references, plus the edge cases."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from edge.scoring import blend, recency_weights
from edge.scoring.reference import blend_reference, recency_weights_reference
from tests.scoring.arrays import read_only, stacked_offsets

SETTINGS = settings(max_examples=80, deadline=None)


def stacked_csr(rng: np.random.Generator, n: int, n_tables: int, max_row: int,
                bad_ids: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A random stacked CSR; rows may be empty, scores repeat, ids may repeat in a row."""
    indptr, total = stacked_offsets(rng, n, n_tables, max_row)
    indices = rng.integers(0, n, size=total).astype(np.int32)
    if bad_ids and total:
        # Ids outside the catalog, as a damaged table would hold, are skipped.
        indices[rng.random(total) < 0.1] = rng.choice([-1, n, n + 5])
    scores = rng.random(total).astype(np.float32)
    repeat = rng.random(total) < 0.5
    scores[repeat] = rng.choice(np.array([0.0, 0.125, 0.5, 1.0], dtype=np.float32), size=int(repeat.sum()))
    read_only(indptr, indices, scores)
    return indptr, indices, scores


def by_id(ids: np.ndarray, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    order = np.argsort(ids, kind="stable")
    return ids[order], scores[order]


def assert_same_candidates(got: tuple[np.ndarray, np.ndarray], want: tuple[np.ndarray, np.ndarray]) -> None:
    ids, scores = got
    assert ids.dtype == np.int32 and scores.dtype == np.float32
    assert len(np.unique(ids)) == len(ids)
    got_ids, got_scores = by_id(ids, scores)
    want_ids, want_scores = by_id(*want)
    np.testing.assert_array_equal(got_ids, want_ids)
    np.testing.assert_allclose(got_scores, want_scores, rtol=1e-5, atol=1e-6)


@SETTINGS
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 40), n_tables=st.integers(1, 4),
       max_row=st.integers(0, 8), n_seeds=st.integers(0, 25), bad_ids=st.booleans())
def test_blend_matches_reference(seed: int, n: int, n_tables: int, max_row: int, n_seeds: int,
                                 bad_ids: bool) -> None:
    rng = np.random.default_rng(seed)
    indptr, indices, scores = stacked_csr(rng, n, n_tables, max_row, bad_ids)
    # Seeds repeat and may fall outside the catalog; some weights are zero.
    seeds = rng.integers(-2, n + 2, size=n_seeds).astype(np.int32)
    seed_weights = rng.choice(np.array([0.0, 0.5, 1.0, 2.0], dtype=np.float32), size=n_seeds)
    table_weights = rng.choice(np.array([0.0, 0.25, 1.0], dtype=np.float32), size=n_tables)
    got = blend(indptr, indices, scores, seeds, seed_weights, table_weights)
    assert_same_candidates(got, blend_reference(indptr, indices, scores, seeds, seed_weights, table_weights))


@pytest.fixture
def small() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    # Two tables over 4 items. Table 0: 0 -> [1, 2], 1 -> [2], 2 -> [], 3 -> []. Table 1: 0 -> [3].
    indptr = np.array([[0, 2, 3, 3, 3], [3, 4, 4, 4, 4]], dtype=np.int64)
    indices = np.array([1, 2, 2, 3], dtype=np.int32)
    scores = np.array([0.9, 0.5, 0.8, 0.7], dtype=np.float32)
    read_only(indptr, indices, scores)
    return indptr, indices, scores


def ones(n: int) -> np.ndarray:
    return np.ones(n, dtype=np.float32)


def test_blend_sums_over_seeds_and_tables(small: tuple[np.ndarray, ...]) -> None:
    seeds = np.array([0, 1], dtype=np.int32)
    ids, scores = blend(*small, seeds, np.array([1.0, 2.0], dtype=np.float32),
                        np.array([1.0, 0.5], dtype=np.float32))
    got = dict(zip(ids.tolist(), scores.tolist(), strict=True))
    assert got == pytest.approx({1: 0.9, 2: 0.5 + 2 * 0.8, 3: 0.5 * 0.7})


def test_duplicate_seeds_count_each_occurrence(small: tuple[np.ndarray, ...]) -> None:
    ids, scores = blend(*small, np.array([1, 1, 1], dtype=np.int32), ones(3), ones(2))
    assert ids.tolist() == [2]
    assert scores.tolist() == pytest.approx([3 * 0.8])


@pytest.mark.parametrize(("seeds", "seed_weights", "table_weights"), [
    ([], [], [1.0, 1.0]),                 # empty history
    ([2, 3], [1.0, 1.0], [1.0, 1.0]),     # items without neighbours
    ([0, 1], [1.0, 1.0], [0.0, 0.0]),     # all-zero table weights
    ([0, 1], [0.0, 0.0], [1.0, 1.0]),     # all-zero seed weights
    ([-1, 4, 99], [1.0, 1.0, 1.0], [1.0, 1.0]),  # seeds outside the catalog
])
def test_blend_empty_results(small: tuple[np.ndarray, ...], seeds: list[int], seed_weights: list[float],
                             table_weights: list[float]) -> None:
    ids, scores = blend(*small, np.array(seeds, dtype=np.int32), np.array(seed_weights, dtype=np.float32),
                        np.array(table_weights, dtype=np.float32))
    assert ids.dtype == np.int32 and scores.dtype == np.float32
    assert ids.shape == scores.shape == (0,)


def test_damaged_offsets_are_clamped() -> None:
    # Offsets past the neighbour arrays, negative or decreasing: read what is in range.
    indptr = np.array([[-5, 2, 1, 99]], dtype=np.int64)
    indices = np.array([1, 2, 0], dtype=np.int32)
    scores = np.array([1.0, 2.0, 3.0], dtype=np.float32)
    read_only(indptr, indices, scores)
    ids, summed = blend(indptr, indices, scores, np.array([0, 1, 2], dtype=np.int32), ones(3), ones(1))
    got = dict(zip(ids.tolist(), summed.tolist(), strict=True))
    assert got == {1: 1.0, 2: 2.0 + 2.0, 0: 3.0}  # rows [0, 2) and [1, 3); item 1 reads nothing


def test_blend_accepts_read_only_request_arrays(small: tuple[np.ndarray, ...]) -> None:
    seeds = np.array([0], dtype=np.int32)
    weights = ones(1)
    table_weights = ones(2)
    read_only(seeds, weights, table_weights)
    ids, _ = blend(*small, seeds, weights, table_weights)
    assert sorted(ids.tolist()) == [1, 2, 3]


@SETTINGS
@given(m=st.integers(-2, 60),
       half_life=st.one_of(st.floats(-5, 50, allow_nan=False), st.sampled_from([0.0, np.inf, np.nan])))
def test_recency_weights_match_reference(m: int, half_life: float) -> None:
    got = recency_weights(m, half_life)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, recency_weights_reference(m, half_life), rtol=1e-5)


def test_recency_weights_values() -> None:
    assert recency_weights(3, 1.0).tolist() == [0.25, 0.5, 1.0]
    assert recency_weights(3, 0.0).tolist() == [1.0, 1.0, 1.0]
    assert recency_weights(3, -1.0).tolist() == [1.0, 1.0, 1.0]
    assert recency_weights(0, 2.0).shape == (0,)
