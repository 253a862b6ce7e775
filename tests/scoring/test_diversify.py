"""diversify against its reference: a greedy per-category cap over a ranked list."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from edge.scoring import diversify
from edge.scoring.reference import diversify_reference

SETTINGS = settings(max_examples=80, deadline=None)


@SETTINGS
@given(seed=st.integers(0, 2**32 - 1), n_items=st.integers(1, 40), n=st.integers(0, 60),
       n_categories=st.integers(1, 5), limit=st.integers(-1, 4), k=st.integers(-1, 70))
def test_matches_reference(seed: int, n_items: int, n: int, n_categories: int, limit: int, k: int) -> None:
    rng = np.random.default_rng(seed)
    # Large category ids too: counts must not be indexed by category.
    names = np.array([-1, 0, 7, 2**31 - 1, 123456], dtype=np.int32)[:n_categories]
    category = rng.choice(names, size=n_items)
    category.flags.writeable = False
    ids = rng.integers(-1, n_items + 1, size=n).astype(np.int32)  # ids outside: unknown category
    scores = np.sort(rng.random(n).astype(np.float32))[::-1].copy()
    ids_got, scores_got = diversify(ids, scores, category, limit, k)
    assert ids_got.dtype == np.int32 and scores_got.dtype == np.float32
    ids_want, scores_want = diversify_reference(ids, scores, category, limit, k)
    np.testing.assert_array_equal(ids_got, ids_want)
    np.testing.assert_allclose(scores_got, scores_want, rtol=1e-5)


def test_caps_known_categories_only() -> None:
    category = np.array([1, 1, 1, -1, -1, -1, 2], dtype=np.int32)
    ids = np.arange(7, dtype=np.int32)
    scores = np.linspace(1.0, 0.1, 7).astype(np.float32)
    assert diversify(ids, scores, category, 1, 10)[0].tolist() == [0, 3, 4, 5, 6]
    assert diversify(ids, scores, category, 2, 4)[0].tolist() == [0, 1, 3, 4]
    assert diversify(ids, scores, category, 0, 3)[0].tolist() == [0, 1, 2]


def test_empty_and_k_zero() -> None:
    category = np.zeros(3, dtype=np.int32)
    ids = np.arange(3, dtype=np.int32)
    scores = np.ones(3, dtype=np.float32)
    for got in (diversify(ids, scores, category, 1, 0), diversify(ids[:0], scores[:0], category, 1, 5)):
        assert got[0].dtype == np.int32 and got[1].dtype == np.float32
        assert got[0].shape == got[1].shape == (0,)


def test_read_only_inputs() -> None:
    category = np.array([4, 4, 5], dtype=np.int32)
    ids = np.array([0, 1, 2], dtype=np.int32)
    scores = np.array([3.0, 2.0, 1.0], dtype=np.float32)
    for a in (category, ids, scores):
        a.flags.writeable = False
    assert diversify(ids, scores, category, 1, 3)[0].tolist() == [0, 2]
