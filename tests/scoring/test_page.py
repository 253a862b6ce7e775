"""The page kernel's own helpers against their references; whole pages are checked against the
Python planner in tests/slots/test_compiled.py."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from edge.scoring.page import _margin_boost, below_float32, favourite_category
from edge.scoring.reference import favourite_category_reference, margin_boost_reference
from tests.scoring.arrays import read_only

SETTINGS = settings(max_examples=100, deadline=None)


@SETTINGS
@given(st.floats(-1e6, 1e6, width=32) | st.sampled_from([0.0, -0.0, 1e-45, float("inf")]))
def test_below_float32_is_the_next_float32_down(x: float) -> None:
    want = np.nextafter(np.float32(x), np.float32(-np.inf))
    assert below_float32(x) == float(want)
    assert np.float32(below_float32(x)) < np.float32(x)


@SETTINGS
@given(st.integers(0, 2 ** 32 - 1), st.integers(0, 30), st.integers(1, 6))
def test_favourite_category(seed: int, m: int, n_categories: int) -> None:
    rng = np.random.default_rng(seed)
    category = rng.integers(-1, n_categories, size=40).astype(np.int32)
    best = rng.permutation(40).astype(np.int32)
    read_only(category, best)
    history = rng.integers(0, 40, size=m).astype(np.int32)
    assert favourite_category(history, category, best) == favourite_category_reference(history, category, best)


def test_favourite_category_without_any_known_category() -> None:
    category = np.full(5, -1, dtype=np.int32)
    assert favourite_category(np.array([1, 2], np.int32), category, np.arange(5, dtype=np.int32)) == -1


@SETTINGS
@given(st.integers(0, 2 ** 32 - 1), st.integers(0, 25), st.integers(1, 30))
def test_margin_boost(seed: int, m: int, k: int) -> None:
    rng = np.random.default_rng(seed)
    margin = rng.choice(np.array([np.nan, 0.0, 0.1, 0.25, 0.5], dtype=np.float32), size=50)
    read_only(margin)
    ids = rng.permutation(50)[:m].astype(np.int32)
    scores = np.sort(rng.choice(np.array([0.5, 0.8, 1.0], dtype=np.float32), size=m))[::-1].copy()
    got = _margin_boost(ids, scores, margin, k)
    want = margin_boost_reference(ids, scores, margin, k)
    np.testing.assert_array_equal(got[0], want[0])
    np.testing.assert_array_equal(got[1], want[1])
