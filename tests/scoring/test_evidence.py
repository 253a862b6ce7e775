"""evidence against its reference: the seed and count that explain each candidate."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from edge.scoring import evidence
from edge.scoring.reference import evidence_reference
from tests.scoring.arrays import read_only, stacked_offsets


def stacked(rng: np.random.Generator, n: int, n_tables: int, max_row: int) -> tuple[np.ndarray, ...]:
    indptr, total = stacked_offsets(rng, n, n_tables, max_row)
    indices = rng.integers(0, n, size=total).astype(np.int32)
    counts = rng.integers(0, 50, size=total).astype(np.int32)
    read_only(indptr, indices, counts)
    return indptr, indices, counts


@settings(max_examples=80, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 30), n_tables=st.integers(1, 3))
def test_matches_reference(seed, n, n_tables):
    rng = np.random.default_rng(seed)
    indptr, indices, counts = stacked(rng, n, n_tables, 6)
    table = int(rng.integers(0, n_tables))
    seeds = rng.integers(-2, n + 2, size=int(rng.integers(0, 6))).astype(np.int32)
    candidates = rng.integers(0, n, size=int(rng.integers(0, 8))).astype(np.int32)
    got = evidence(indptr, indices, counts, table, seeds, candidates)
    want = evidence_reference(indptr, indices, counts, table, seeds, candidates)
    np.testing.assert_array_equal(got[0], want[0])
    np.testing.assert_array_equal(got[0] > 0, got[1] >= 0)


def test_names_the_strongest_seed():
    # item 0 -> [2 (3 times)], item 1 -> [2 (9 times), 3 (1 time)]
    indptr = np.array([[0, 1, 3, 3, 3]], dtype=np.int64)
    indices = np.array([2, 2, 3], dtype=np.int32)
    counts = np.array([3, 9, 1], dtype=np.int32)
    best, seed = evidence(indptr, indices, counts, 0, np.array([0, 1], np.int32), np.array([2, 3, 0], np.int32))
    assert best.tolist() == [9, 1, 0]
    assert seed.tolist() == [1, 1, -1]
