"""Basket scorings and the category fallback on hand-made orders, the right answers written down."""

from __future__ import annotations

import numpy as np
import pytest

from edge.build.frames import EventType
from edge.build.tables import (
    bm25_scores,
    bought_together_pairs,
    bought_together_scores,
    category_fallback,
    cosine_scores,
)
from edge.build.tables.neighbours import basket_scores

from .conftest import check_well_formed, make_catalog, make_events, row

P = EventType.PURCHASE


def _pairs(orders: list[list[int]], n_items: int):
    order = [o for o, items in enumerate(orders) for _ in items]
    events = make_events(order, [i for items in orders for i in items], kind=P, order=order)
    return bought_together_pairs(events, n_items)


# Item 0 is in every order (n_0 = 6); 1 and 2 are bought together twice and alone never
# (n_1 = n_2 = 2); 3 once with 0 (n_3 = 1). Mean n over items in an order: (6 + 2 + 2 + 1) / 4.
ORDERS = [[0, 1, 2], [0, 1, 2], [0, 3], [0], [0], [0]]


def test_bm25_weighs_each_side_by_its_popularity_against_the_mean():
    pairs = _pairs(ORDERS, 4)
    nb = bm25_scores(pairs, 4, k=5, k1=1.0, b=1.0)
    check_well_formed(nb, 4, 5)
    mean = 11 / 4

    def f(n: float) -> float:  # (k1 + 1) / (k1 * (1 - b + b * n / mean) + 1) with k1 = b = 1
        return 2.0 / (n / mean + 1.0)

    ids, scores, counts = row(nb, 1)
    # Row 1: item 2 (c = 2, both rare) before the everywhere-item 0 (c = 2, n = 6).
    assert ids == [2, 0] and counts == [2, 2]
    assert scores == pytest.approx([2 * f(2) * f(2), 2 * f(2) * f(6)], rel=1e-6)
    assert row(nb, 3)[1] == pytest.approx([1 * f(1) * f(6)], rel=1e-6)
    # Symmetric: the score of (i, j) is the score of (j, i).
    assert row(nb, 0)[1][row(nb, 0)[0].index(3)] == pytest.approx(row(nb, 3)[1][0])


def test_bm25_with_b_zero_is_the_raw_count_scaled():
    nb = bm25_scores(_pairs(ORDERS, 4), 4, k=5, k1=100.0, b=0.0)
    assert row(nb, 0)[0] == [1, 2, 3] and row(nb, 0)[1] == pytest.approx([2.0, 2.0, 1.0])


def test_the_scorings_by_name_and_their_knobs():
    pairs = _pairs(ORDERS, 4)
    default = bought_together_scores(pairs, 4, 5)
    same = basket_scores(pairs, 4, 5, shrinkage=3.0, alpha=0.5)
    assert np.array_equal(default.indices, same.indices) and np.array_equal(default.scores, same.scores)
    cos = bought_together_scores(pairs, 4, 5, {"method": "cosine", "shrinkage": 1.0})
    assert np.array_equal(cos.scores, cosine_scores(pairs, 4, 5, shrinkage=1.0).scores)
    # c / (sqrt(n_i n_j) + 1): (1, 2) = 2 / 3, (1, 0) = 2 / (sqrt(12) + 1)
    assert row(cos, 1)[1] == pytest.approx([2 / 3, 2 / (np.sqrt(12) + 1)], rel=1e-6)
    bm = bought_together_scores(pairs, 4, 5, {"method": "bm25", "k1": 1.0, "b": 1.0})
    assert np.array_equal(bm.scores, bm25_scores(pairs, 4, 5, k1=1.0, b=1.0).scores)
    one = bought_together_scores(pairs, 4, 5, {"k": 1.0})  # the size: one neighbour per item
    assert np.diff(one.indptr).max() == 1
    with pytest.raises(ValueError, match="unknown basket scoring"):
        bought_together_scores(pairs, 4, 5, {"method": "lift"})


def test_the_category_fallback_ranks_a_category_by_orders():
    # Items 0-4 in category 0, 5-6 in category 1, 7 without a category.
    orders = [[0, 5]] * 5 + [[1]] * 3 + [[4, 7]] * 3 + [[2]] + [[6]] * 2
    pairs = _pairs(orders, 8)   # n: 0 -> 5, 1 -> 3, 2 -> 1, 3 -> 0, 4 -> 3, 5 -> 5, 6 -> 2, 7 -> 3
    catalog = make_catalog([None] * 8, category=[0, 0, 0, 0, 0, 1, 1, -1], categories=["a", "b"])
    nb = category_fallback(pairs, catalog, k=3)
    check_well_formed(nb, 8, 3)
    # The category's bestsellers by orders (ties by id), scored as a share of its best; never itself.
    assert row(nb, 3) == ([0, 1, 4], pytest.approx([1.0, 0.6, 0.6]), [5, 3, 3])
    assert row(nb, 0) == ([1, 4, 2], pytest.approx([0.6, 0.6, 0.2]), [3, 3, 1])
    assert row(nb, 1)[0] == [0, 4, 2]
    assert row(nb, 5)[0] == [6] and row(nb, 6)[0] == [5]
    assert row(nb, 7)[0] == []    # no category, no fallback
    assert 3 not in nb.indices    # never ordered: never recommended by it


def test_the_category_fallback_without_categories_or_orders_is_empty():
    pairs = _pairs([[0, 1]], 3)
    assert category_fallback(pairs, make_catalog([None] * 3)).indptr.tolist() == [0, 0, 0, 0]
    nothing = _pairs([], 3)
    assert category_fallback(nothing, make_catalog([None] * 3, category=0, categories=["a"])).indices.size == 0
