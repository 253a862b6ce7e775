from __future__ import annotations

import numpy as np
import pytest

from edge.build.frames import EventType, Ranking
from edge.build.tables import (
    Lines,
    bestsellers,
    decayed_popularity,
    event_lines,
    popularity_of,
    ranking_of,
    recent_counts,
    trending,
    trending_of,
)
from edge.build.tables.popularity import canonical

from .conftest import DAY, make_events

V, C, P = EventType.VIEW, EventType.CART, EventType.PURCHASE
NOW = 1_700_000_000
VIEW_ONLY = {V: 1.0}


def ranked(r: Ranking, g: int = 0) -> list[int]:
    return r.items[r.indptr[g]:r.indptr[g + 1]].tolist()


def test_decay_halves_at_one_half_life_and_ignores_the_future() -> None:
    events = make_events([0, 1, 2, 3], [0, 1, 2, 2], ts=[NOW, NOW - 10 * DAY, NOW - 20 * DAY, NOW + 5],
                         kind=V)
    pop = decayed_popularity(events, 4, NOW, half_life_days=10, type_weights=VIEW_ONLY)
    assert pop.dtype == np.float32
    assert pop.tolist() == pytest.approx([1.0, 0.5, 0.25, 0.0])


def test_type_weights_and_purchase_lines() -> None:
    # Item 0: a 3-unit line spread over two rows of one order; item 1: a 1-unit line;
    # item 2: two orders of 1; item 3: a 255-unit wholesale line.
    events = make_events([0, 0, 1, 2, 3, 4], [0, 0, 1, 2, 2, 3], kind=P, order=[0, 0, 1, 2, 3, 4],
                         quantity=[1, 2, 1, 1, 1, 255], ts=NOW)
    pop = decayed_popularity(events, 4, NOW, type_weights={P: 1.0})
    assert pop.tolist() == pytest.approx([2.0, 1.0, 2.0, 8.0])  # log2(1 + quantity) per line
    mixed = make_events([0, 0, 0], [0, 0, 0], kind=[V, C, EventType.REMOVE], ts=NOW)
    assert decayed_popularity(mixed, 1, NOW).tolist() == pytest.approx([6.0])  # view 1 + cart 5 + remove 0


def test_bestsellers_global_drops_zero_scores_and_breaks_ties_by_id() -> None:
    events = make_events([0, 1, 2, 3, 4], [3, 1, 1, 0, 4], kind=V, ts=NOW)
    r = bestsellers(events, 6, NOW, 30.0)
    assert r.indptr.tolist() == [0, 4]
    assert ranked(r) == [1, 0, 3, 4]
    assert r.scores.tolist() == pytest.approx([2, 1, 1, 1])
    assert r.items.dtype == np.int32 and r.scores.dtype == np.float32


def test_bestsellers_per_item_group_ranks_by_global_score() -> None:
    events = make_events(list(range(7)), [0, 0, 0, 1, 2, 2, 3], kind=V, ts=NOW)
    category = np.array([1, 0, 1, -1, 0], np.int32)
    r = bestsellers(events, 5, NOW, 30.0, group=category, n_groups=3, top=1)
    assert r.indptr.tolist() == [0, 1, 2, 2]
    assert ranked(r, 0) == [1] and ranked(r, 1) == [0] and ranked(r, 2) == []
    r = bestsellers(events, 5, NOW, 30.0, group=category, n_groups=3)
    assert ranked(r, 0) == [1] and ranked(r, 1) == [0, 2]  # item 4 has no events
    assert r.scores.tolist() == pytest.approx([1, 3, 2])


def test_bestsellers_per_event_group_uses_the_group_s_own_events() -> None:
    events = make_events(list(range(6)), [0, 0, 0, 1, 1, 2], kind=V, ts=NOW, region=[0, 0, 0, 1, 1, -1])
    r = bestsellers(events, 3, NOW, 30.0, group=events.region, n_groups=2)
    assert ranked(r, 0) == [0] and ranked(r, 1) == [1]
    assert r.scores.tolist() == pytest.approx([3, 2])
    # As many events as items: a column of `events` is per event, anything else per item.
    square = make_events([0, 1, 2], [0, 0, 1], kind=V, ts=NOW, region=[1, 1, 0])
    assert ranked(bestsellers(square, 3, NOW, group=square.region), 1) == [0]
    assert ranked(bestsellers(square, 3, NOW, group=np.array([1, 1, 0])), 1) == [0, 1]
    with pytest.raises(ValueError):
        bestsellers(square, 3, NOW, group=np.zeros(5, np.int32))


def test_trending_prefers_a_surge_over_a_steady_seller() -> None:
    rows: list[tuple[int, int]] = []
    for day in range(120):
        rows += [(0, NOW - day * DAY - 60)] * 20          # steady bestseller: 20 sales a day
        if day < 7:
            rows += [(1, NOW - day * DAY - 60)] * 8       # new item: 8 sales a day this week
    rows += [(2, NOW - DAY)]                              # one sale yesterday, never before
    rows += [(3, NOW - day * DAY - 60) for day in range(120)]  # 1 a day: a small steady seller
    item = [i for i, _ in rows]
    events = make_events(list(range(len(rows))), item, kind=P, ts=[t for _, t in rows],
                         order=list(range(len(rows))))
    r = trending(events, 5, NOW, recent_days=7.0)
    items = ranked(r)
    assert items[0] == 1
    assert 0 not in items and 3 not in items  # steady sellers do not trend
    if 2 in items:
        assert r.scores[items.index(2)] < r.scores[0] / 2  # nor does a one-off sale, much


def test_trending_without_past_events_is_empty() -> None:
    events = make_events([0], [0], ts=NOW + 100)
    r = trending(events, 2, NOW)
    assert r.indptr.tolist() == [0, 0] and r.items.shape == (0,)


def test_recent_counts_counts_distinct_orders_and_sessions() -> None:
    events = make_events(
        session=[0, 0, 0, 1, 2, 3, 4, 5, 5, 6],
        item=[0, 0, 0, 0, 0, 0, 1, 1, 1, 1],
        kind=[P, P, P, P, P, P, V, V, V, V],
        order=[7, 7, 8, 9, 10, -1, -1, -1, -1, -1],
        ts=[NOW, NOW, NOW, NOW - 6 * DAY, NOW - 8 * DAY, NOW - DAY, NOW, NOW, NOW, NOW + 1],
    )
    # Item 0: orders 7 and 8 (7 twice), 9 within the week, 10 too old, one order-less purchase.
    assert recent_counts(events, 3, NOW, 7, (P,)).tolist() == [4, 0, 0]
    assert recent_counts(events, 3, NOW, 30, (P,)).tolist() == [5, 0, 0]
    # Views: sessions 4 and 5 (a reload in 5 is one), session 6 is after `now`.
    assert recent_counts(events, 3, NOW, 7, (V, EventType.CLICK)).tolist() == [0, 2, 0]
    assert recent_counts(events, 3, NOW, 7, ()).tolist() == [0, 0, 0]


def test_scores_from_lines_do_not_depend_on_their_order_or_merging() -> None:
    # The Spark builder delivers the same lines merged and in any order: every float must match to the bit.
    rng = np.random.default_rng(3)
    n = 2000
    events = make_events(np.arange(n), rng.integers(0, 50, n), kind=rng.integers(0, 3, n),
                         order=np.arange(n) // 3, ts=NOW - rng.integers(0, 60, n) * DAY,
                         region=rng.integers(-1, 4, n), quantity=rng.integers(1, 4, n))
    lines = event_lines(events, NOW)
    perm = rng.permutation(len(lines))
    shuffled = Lines(*(col[perm] for col in lines))
    _, merged = canonical(lines)
    for other in (shuffled, merged):
        assert popularity_of(other, 50, NOW).tobytes() == popularity_of(lines, 50, NOW).tobytes()
        assert trending_of(other, 50, NOW).scores.tobytes() == trending_of(lines, 50, NOW).scores.tobytes()
    region = ranking_of(lines, 50, NOW, line_group="region", n_groups=4, top=10)
    again = ranking_of(shuffled, 50, NOW, line_group="region", n_groups=4, top=10)
    assert region.indptr.tolist() == again.indptr.tolist() == [0, 10, 20, 30, 40]
    assert region.items.tobytes() == again.items.tobytes() and region.scores.tobytes() == again.scores.tobytes()
    assert np.array_equal(region.items, bestsellers(events, 50, NOW, group=events.region, n_groups=4, top=10).items)
