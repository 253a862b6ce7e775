"""top_k against its reference: score descending, ties by id ascending."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from edge.scoring import top_k
from edge.scoring.reference import top_k_reference

SETTINGS = settings(max_examples=80, deadline=None)


def candidates(rng: np.random.Generator, n: int, special: bool) -> tuple[np.ndarray, np.ndarray]:
    """Unique ids (any int32, negative too) with many tied scores; optionally NaN, +-inf,
    -0.0 and negative scores."""
    ids = rng.choice(np.array([-(2**31), 2**31 - 1, -1, 0], dtype=np.int64), size=min(n, 4), replace=False)
    ids = np.unique(np.concatenate([ids, rng.integers(-(2**31), 2**31 - 1, size=n)]))[:n]
    ids = rng.permutation(ids).astype(np.int32)
    n = len(ids)
    scores = rng.random(n).astype(np.float32)
    tied = rng.random(n) < 0.5
    scores[tied] = rng.choice(np.array([0.25, 0.5, 1.0], dtype=np.float32), size=int(tied.sum()))
    if special:
        odd = rng.random(n) < 0.2
        pool = np.array([np.nan, np.inf, -np.inf, -0.0, 0.0, -1.5, 1e-40], dtype=np.float32)
        scores[odd] = rng.choice(pool, size=int(odd.sum()))
    return ids, scores


def assert_same_ranking(got: tuple[np.ndarray, np.ndarray], want: tuple[np.ndarray, np.ndarray]) -> None:
    ids, scores = got
    assert ids.dtype == np.int32 and scores.dtype == np.float32
    np.testing.assert_array_equal(ids, want[0])
    np.testing.assert_allclose(scores, want[1], rtol=1e-5)


@SETTINGS
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(0, 60), k=st.integers(-1, 70), special=st.booleans())
def test_small_inputs_match_reference(seed: int, n: int, k: int, special: bool) -> None:
    ids, scores = candidates(np.random.default_rng(seed), n, special)
    assert_same_ranking(top_k(ids, scores, k), top_k_reference(ids, scores, k))


@SETTINGS
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(256, 5000), k=st.sampled_from([1, 8, 12, 50, 300, 6000]),
       special=st.booleans())
def test_large_inputs_match_reference(seed: int, n: int, k: int, special: bool) -> None:
    # Past 256 candidates the selection samples a cut; ties and odd floats cross it.
    ids, scores = candidates(np.random.default_rng(seed), n, special)
    assert_same_ranking(top_k(ids, scores, k), top_k_reference(ids, scores, k))


def test_ties_break_by_id() -> None:
    ids = np.array([7, 3, 9, 1], dtype=np.int32)
    scores = np.array([1.0, 2.0, 1.0, 1.0], dtype=np.float32)
    got_ids, got_scores = top_k(ids, scores, 3)
    assert got_ids.tolist() == [3, 1, 7]
    assert got_scores.tolist() == [2.0, 1.0, 1.0]


def test_all_equal_scores_on_a_large_input() -> None:
    ids = np.random.default_rng(1).permutation(3000).astype(np.int32)
    got_ids, _ = top_k(ids, np.ones(3000, dtype=np.float32), 10)
    assert got_ids.tolist() == list(range(10))


def test_sample_defeated_by_input_order() -> None:
    # The cut comes from every other key here; putting all the best keys on the sampled
    # positions makes the band shorter than k, which must fall back to all keys.
    n = 256
    ids = np.arange(n, dtype=np.int32)
    scores = np.where(ids % 2 == 0, 2.0 - ids / n, ids / (4 * n)).astype(np.float32)
    for k in (40, 60):
        assert_same_ranking(top_k(ids, scores, k), top_k_reference(ids, scores, k))


def test_nan_ranks_last_and_scores_round_trip() -> None:
    ids = np.array([1, 2, 3, 4], dtype=np.int32)
    scores = np.array([np.nan, -np.inf, 0.1, np.inf], dtype=np.float32)
    got_ids, got_scores = top_k(ids, scores, 4)
    assert got_ids.tolist() == [4, 3, 2, 1]
    np.testing.assert_array_equal(got_scores, np.array([np.inf, 0.1, -np.inf, np.nan], dtype=np.float32))


def test_k_zero_empty_input_and_k_beyond_length() -> None:
    ids = np.array([5, 6], dtype=np.int32)
    scores = np.array([0.1, 0.2], dtype=np.float32)
    for k in (0, -3):
        got_ids, got_scores = top_k(ids, scores, k)
        assert got_ids.dtype == np.int32 and got_scores.dtype == np.float32
        assert got_ids.shape == got_scores.shape == (0,)
    assert top_k(ids[:0], scores[:0], 5)[0].shape == (0,)
    assert top_k(ids, scores, 10)[0].tolist() == [6, 5]


def test_read_only_inputs_are_left_alone() -> None:
    ids, scores = candidates(np.random.default_rng(3), 1000, special=False)
    before = ids.copy(), scores.copy()
    ids.flags.writeable = False
    scores.flags.writeable = False
    assert_same_ranking(top_k(ids, scores, 20), top_k_reference(ids, scores, 20))
    np.testing.assert_array_equal(ids, before[0])
    np.testing.assert_array_equal(scores, before[1])
