from __future__ import annotations

import itertools
from collections import Counter
from typing import Any

import numpy as np
import pytest

from edge.build.frames import Events, EventType
from edge.build.tables import also_bought, also_viewed, bought_together, viewed_next

from .conftest import as_dict, check_well_formed, make_events, row

P = EventType.PURCHASE


def sessions_to_events(sessions: list[list[int]], **kw: Any) -> Events:
    session = [s for s, items in enumerate(sessions) for _ in items]
    item = [i for items in sessions for i in items]
    return make_events(session, item, **kw)


def random_sessions(seed: int, n_sessions: int = 60, n_items: int = 15) -> list[list[int]]:
    rng = np.random.default_rng(seed)
    return [rng.integers(0, n_items, rng.integers(1, 9)).tolist() for _ in range(n_sessions)]


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("window", [None, 2])
def test_also_viewed_counts_match_brute_force_and_are_symmetric(seed: int, window: int | None) -> None:
    sessions = random_sessions(seed)
    nb = also_viewed(sessions_to_events(sessions), 15, k=100, window=window)
    check_well_formed(nb, 15, 100)
    expected: Counter = Counter()
    for s in sessions:
        distinct = list(dict.fromkeys(s))
        for p, x in enumerate(distinct):
            for y in distinct[p + 1:] if window is None else distinct[p + 1:p + 1 + window]:
                expected[(x, y)] += 1
                expected[(y, x)] += 1
    got = as_dict(nb)
    assert got == dict(expected)
    assert all(got[(j, i)] == c for (i, j), c in got.items())


def test_also_viewed_popular_item_does_not_dominate_niche_pair() -> None:
    # P is in 200 sessions; A shares 10 of them with P, 6 of those with B as well.
    sessions = [[0, 1, 2]] * 6 + [[0, 1]] * 4 + [[0, 10 + s % 40] for s in range(190)]
    nb = also_viewed(sessions_to_events(sessions), 50, k=10, window=None)
    idx, _, counts = row(nb, 1)  # A
    assert idx[:2] == [2, 0]  # B before the popular P ...
    assert counts[:2] == [6, 10]  # ... although P co-occurs more often


def test_also_viewed_shrinkage_prefers_evidence() -> None:
    # (0, 1) seen once, both items seen once; (2, 3) seen 20 times, both seen 20 times: equal cosine.
    sessions = [[0, 1]] + [[2, 3]] * 20
    nb = also_viewed(sessions_to_events(sessions), 4, k=5)
    assert row(nb, 0)[1][0] < row(nb, 2)[1][0]
    # Within a row: c/sqrt(n_j) is 1 for both targets, the shrinkage favours the 20-session one.
    sessions = [[0, 1]] + [[0, 2]] * 20 + [[2, 3 + s] for s in range(380)]
    nb = also_viewed(sessions_to_events(sessions), 400, k=5)
    assert row(nb, 0)[0] == [2, 1]


def test_also_viewed_window_and_session_cap() -> None:
    nb = also_viewed(sessions_to_events([[0, 1, 2, 3, 4]]), 5, k=10, window=2)
    assert row(nb, 0)[0] == [1, 2] and sorted(row(nb, 2)[0]) == [0, 1, 3, 4]
    nb = also_viewed(sessions_to_events([list(range(30))]), 30, k=50, window=None, max_items=10)
    assert all(np.diff(nb.indptr)[:10] == 9) and nb.indptr[-1] == nb.indptr[10]


def test_also_viewed_uses_purchases_only_without_views() -> None:
    purchases = sessions_to_events([[0, 1], [0, 1]], kind=P, order=[0, 0, 1, 1])
    assert row(also_viewed(purchases, 2), 0)[0] == [1]
    views = make_events([0, 0, 1, 1], [0, 1, 2, 3], kind=[0, 0, P, P])
    nb = also_viewed(views, 4)
    assert row(nb, 0)[0] == [1] and row(nb, 2)[0] == []


def test_viewed_next_is_directed_and_decays() -> None:
    sessions = [[0, 1, 2]] * 3 + [[0, 0, 3]]
    nb = viewed_next(sessions_to_events(sessions), 4, k=10, window=2, decay=0.5, shrinkage=0.0)
    check_well_formed(nb, 4, 10)
    idx, scores, counts = row(nb, 0)
    assert idx == [1, 2, 3] and counts == [3, 3, 1]
    # n_0 = 4 sessions: 3 direct follows of 1, 3 follows of 2 at distance 2 (weight 0.5), the
    # reload 0 -> 0 collapses so 3 follows directly.
    assert scores == pytest.approx([3 / 4, 1.5 / 4, 1 / 4])
    assert row(nb, 1)[0] == [2] and 0 not in row(nb, 2)[0]
    assert row(nb, 3)[0] == []


def test_viewed_next_counts_sessions_not_repeats() -> None:
    nb = viewed_next(sessions_to_events([[0, 1, 0, 1, 0, 1]]), 2, k=5, window=1)
    assert row(nb, 0)[2] == [1] and row(nb, 1)[2] == [1]


@pytest.mark.parametrize("seed", range(3))
def test_bought_together_counts_orders_and_is_symmetric(seed: int) -> None:
    rng = np.random.default_rng(seed)
    orders = [rng.integers(0, 12, rng.integers(1, 6)).tolist() for _ in range(50)]
    order = [o for o, items in enumerate(orders) for _ in items]
    item = [i for items in orders for i in items]
    # Sessions differ from orders (two orders per session) and views are ignored.
    events = make_events([*(o // 2 for o in order), 0, 0], [*item, 0, 1], kind=[P] * len(item) + [0, 0],
                         order=[*order, -1, -1])
    nb = bought_together(events, 12, k=100)
    check_well_formed(nb, 12, 100)
    expected: Counter = Counter()
    for items in orders:
        for x, y in itertools.permutations(set(items), 2):
            expected[(x, y)] += 1
    got = as_dict(nb)
    assert got == dict(expected)
    assert all(got[(j, i)] == c for (i, j), c in got.items())


def test_bought_together_shrinkage_and_big_baskets() -> None:
    # Row 0: item 1 bought with 0 once (n_1 = 1); item 2 bought with 0 in 20 orders, n_2 = 20.
    orders = [[0, 1]] + [[0, 2]] * 20 + [[3, 4]]
    order = [o for o, items in enumerate(orders) for _ in items]
    events = make_events(order, [i for items in orders for i in items], kind=P, order=order)
    nb = bought_together(events, 5, k=5)
    assert row(nb, 0)[0] == [2, 1]
    assert row(nb, 3)[1][0] < row(nb, 2)[1][0]  # one lone co-purchase < 20 consistent ones
    basket = make_events([0] * 500, list(range(500)), kind=P, order=0)
    nb = bought_together(basket, 500, k=10, max_items=50)
    assert (np.diff(nb.indptr)[:50] == 10).all() and nb.indptr[-1] == nb.indptr[50]


def test_bought_together_asymmetric_alpha() -> None:
    orders = [[0, 1]] * 2 + [[1, 2 + o] for o in range(8)]
    order = [o for o, items in enumerate(orders) for _ in items]
    events = make_events(order, [i for items in orders for i in items], kind=P, order=order)
    nb = bought_together(events, 10, k=5, alpha=1.0, shrinkage=0.0)
    # alpha = 1: score_ij = c_ij / n_i, the share of i's orders that also hold j.
    assert row(nb, 0)[1] == pytest.approx([1.0])
    assert row(nb, 1)[0][0] == 0 and row(nb, 1)[1][0] == pytest.approx(0.2)


def test_also_bought_spans_orders_and_caps_history() -> None:
    # User 0 buys 0 then 1 in separate orders and sessions; user 1 buys 0 and 2.
    events = make_events([0, 1, 2, 3], [0, 1, 0, 2], kind=P, order=[0, 1, 2, 3], user=[0, 0, 1, 1],
                         ts=[10, 20, 10, 20])
    nb = also_bought(events, 3, k=5)
    check_well_formed(nb, 3, 5)
    assert sorted(row(nb, 0)[0]) == [1, 2] and row(nb, 1)[0] == [0] and row(nb, 1)[2] == [1]
    # A reseller buying 100 items: only the 5 most recent pair up.
    big = make_events(list(range(100)), list(range(100)), kind=P, order=list(range(100)), user=0,
                      ts=list(range(100)))
    nb = also_bought(big, 100, k=10, max_items=5)
    assert set(np.flatnonzero(np.diff(nb.indptr)).tolist()) == set(range(95, 100))


def test_tables_without_data_are_empty() -> None:
    views = make_events([0, 0], [0, 1])
    for table in (bought_together, also_bought):
        nb = table(views, 3)
        assert nb.indptr.tolist() == [0, 0, 0, 0]
    empty = make_events([], [])
    for fn in (also_viewed, viewed_next, bought_together, also_bought):
        assert fn(empty, 2).indptr.tolist() == [0, 0, 0]


def test_viewed_near_looks_both_ways_and_prefers_what_follows() -> None:
    from edge.build.tables import near_scores, viewed_next_pairs

    sessions = [[0, 1, 2]] * 3 + [[3, 0]]
    pairs = viewed_next_pairs(sessions_to_events(sessions), 4, window=2)
    nb = near_scores(pairs, 4, 10, decay=0.5, back=0.5, shrinkage=0.0)
    check_well_formed(nb, 4, 10)
    idx, scores, counts = row(nb, 0)
    # n_0 = 4: 1 follows in 3 sessions (3), 2 at distance 2 (3 x 0.5), 3 comes before once (0.5).
    assert idx == [1, 2, 3] and counts == [3, 3, 1]
    assert scores == pytest.approx([3 / 4, 1.5 / 4, 0.5 / 4])
    # From 1 (n = 3): 2 follows (3), 0 comes before (3 x 0.5).
    assert row(nb, 1)[0] == [2, 0] and row(nb, 1)[1] == pytest.approx([1.0, 0.5])


@pytest.mark.parametrize("seed", range(3))
def test_viewed_near_ignores_the_order_of_the_aggregate(seed: int) -> None:
    from edge.build.tables import near_scores, viewed_next_pairs

    pairs = viewed_next_pairs(sessions_to_events(random_sessions(seed)), 15, window=3)
    shuffled = np.random.default_rng(seed).permutation(pairs.rows.shape[0])
    other = type(pairs)(pairs.rows[shuffled], pairs.cols[shuffled], pairs.counts[shuffled], pairs.n,
                        pairs.dist[shuffled])
    a, b = near_scores(pairs, 15, 5), near_scores(other, 15, 5)
    for field in ("indptr", "indices", "scores", "counts"):
        assert np.array_equal(getattr(a, field), getattr(b, field))
