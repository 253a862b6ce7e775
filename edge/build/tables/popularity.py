"""Time-decayed popularity, bestseller and trending rankings, social-proof counts.

Every event weighs ``type_weights[kind] * 0.5 ** (age_days / half_life_days)``; events after
``now`` are ignored. A purchase counts once per order line (events of the same order and
item merge, quantities add up) and weighs ``log2(1 + quantity)`` times its type weight
(1 for a single unit), so one wholesale order of 500 units counts like ~9 ordinary sales.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Literal, TypeAlias

import numpy as np

from edge.build.frames import Events, EventType, Ranking

DAY = 86_400.0
_DENSE_CELLS = 1 << 24  # group x item grids up to this size are summed densely (128 MB)

# Weight per event kind; kinds left out weigh 0.
TypeWeights: TypeAlias = Mapping[EventType, float] | Mapping[int, float]

DEFAULT_TYPE_WEIGHTS: dict[EventType, float] = {
    EventType.VIEW: 1.0,
    EventType.CART: 5.0,
    EventType.PURCHASE: 20.0,
    EventType.CLICK: 1.0,
    EventType.REMOVE: 0.0,
}


def _weight_table(type_weights: TypeWeights | None) -> np.ndarray:
    table = np.zeros(len(EventType), dtype=np.float64)
    for kind, weight in (DEFAULT_TYPE_WEIGHTS if type_weights is None else type_weights).items():
        table[int(kind)] = float(weight)
    return table


def event_weights(events: Events, now: int, half_life_days: float,
                  type_weights: TypeWeights | None = None) -> np.ndarray:
    """Per-event decayed weight (float64). Purchase lines carry their whole weight on one
    event of the line (the latest) and 0 on the others."""
    if half_life_days <= 0:
        raise ValueError("half_life_days must be positive")
    table = _weight_table(type_weights)
    ts = events.ts
    live = ts <= now
    age_days = (now - ts).astype(np.float64) / DAY
    w = table[events.kind.astype(np.intp)] * np.exp2(-age_days / half_life_days)
    w[~live] = 0.0

    buy = np.flatnonzero(live & (events.kind == EventType.PURCHASE))
    if buy.shape[0]:
        q = events.quantity[buy].astype(np.float64)
        q[~(q > 0)] = 1.0  # NaN, zero or negative quantities count as one unit
        order, item = events.order[buy], events.item[buy].astype(np.int64)
        # Line id: (order, item) for purchases with an order, the event itself otherwise.
        key = np.where(order >= 0, order * (int(item.max()) + 1) + item, -1 - np.arange(buy.shape[0]))
        srt = np.lexsort((ts[buy], key))
        ks = key[srt]
        last = np.flatnonzero(np.r_[ks[1:] != ks[:-1], True])
        first = np.r_[0, last[:-1] + 1]
        qty = np.add.reduceat(q[srt], first)
        rep = buy[srt[last]]
        w[buy] = 0.0
        w[rep] = table[EventType.PURCHASE] * np.log2(1.0 + qty) * np.exp2(-age_days[rep] / half_life_days)
    return w


def decayed_popularity(events: Events, n_items: int, now: int, half_life_days: float = 30.0,
                       type_weights: TypeWeights | None = None) -> np.ndarray:
    """float32[n_items]: sum of decayed event weights per item (see module docstring)."""
    w = event_weights(events, now, half_life_days, type_weights)
    return np.bincount(events.item, weights=w, minlength=n_items)[:n_items].astype(np.float32)


def _ranking(group: np.ndarray, item: np.ndarray, score: np.ndarray, n_groups: int,
             top: int | None) -> Ranking:
    """Rows of (item, score) per group, best first, ties by item id; scores <= 0 dropped."""
    keep = (score > 0) & (group >= 0) & (group < n_groups)
    group, item, score = group[keep], item[keep], score[keep]
    order = np.lexsort((item, -score, group))
    group, item, score = group[order], item[order], score[order]
    counts = np.bincount(group, minlength=n_groups).astype(np.int64)
    if top is not None:
        starts = np.r_[0, np.cumsum(counts)[:-1]]
        rank = np.arange(group.shape[0]) - starts[group]
        sel = rank < top
        group, item, score = group[sel], item[sel], score[sel]
        counts = np.minimum(counts, top)
    indptr = np.zeros(n_groups + 1, dtype=np.int64)
    np.cumsum(counts, out=indptr[1:])
    return Ranking(indptr=indptr, items=item.astype(np.int32), scores=score.astype(np.float32))


def _is_event_column(events: Events, group: np.ndarray) -> bool:
    return any(group is getattr(events, name) for name in ("region", "segment", "session", "user", "order"))


def bestsellers(events: Events, n_items: int, now: int, half_life_days: float = 30.0,
                group: np.ndarray | None = None, n_groups: int = 0, top: int = 1000, *,
                per: Literal["auto", "event", "item"] = "auto",
                type_weights: TypeWeights | None = None) -> Ranking:
    """Decayed-popularity rankings, best first, items with zero score left out.

    Without ``group``: one row with every item of positive score. With ``group`` (int, -1 =
    none): one row per group id < ``n_groups`` (0 = max id + 1), at most ``top`` items each.
    A per-event group (region, segment) ranks by the popularity earned within the group; a
    per-item group (category) ranks each group's items by their global popularity. ``per``
    says which; "auto" decides by length, and when both lengths are equal treats one of
    ``events``' own columns as per-event and anything else as per-item.
    """
    if group is None:
        pop = decayed_popularity(events, n_items, now, half_life_days, type_weights).astype(np.float64)
        return _ranking(np.zeros(n_items, np.int64), np.arange(n_items), pop, 1, None)
    group = np.asarray(group)
    if per == "auto":
        if len(events) == n_items:
            per = "event" if _is_event_column(events, group) else "item"
        elif group.shape[0] == len(events):
            per = "event"
        elif group.shape[0] == n_items:
            per = "item"
        else:
            raise ValueError(f"group has {group.shape[0]} entries: neither one per event nor one per item")
    if n_groups <= 0:
        n_groups = int(group.max()) + 1 if group.shape[0] and group.max() >= 0 else 0
    g = group.astype(np.int64)
    if per == "item":
        if g.shape[0] != n_items:
            raise ValueError("a per-item group needs one entry per item")
        pop = decayed_popularity(events, n_items, now, half_life_days, type_weights).astype(np.float64)
        return _ranking(g, np.arange(n_items), pop, n_groups, top)
    if g.shape[0] != len(events):
        raise ValueError("a per-event group needs one entry per event")
    w = event_weights(events, now, half_life_days, type_weights)
    sel = (w > 0) & (g >= 0) & (g < n_groups)
    key = g[sel] * n_items + events.item[sel]
    if n_groups * n_items <= _DENSE_CELLS:
        dense: np.ndarray = np.bincount(key, weights=w[sel], minlength=n_groups * n_items)
        cells = np.flatnonzero(dense)
        score = dense[cells]
    else:
        srt = np.argsort(key, kind="stable")
        ks = key[srt]
        first = np.flatnonzero(np.r_[True, ks[1:] != ks[:-1]])
        cells = ks[first]
        score = np.add.reduceat(w[sel][srt], first) if first.shape[0] else np.empty(0)
    return _ranking(cells // max(n_items, 1), cells % max(n_items, 1), np.asarray(score, np.float64),
                    n_groups, top)


def _exposure_days(half_life_days: float, span_days: float) -> float:
    """Integral of the decay kernel over the observed span: the days a decayed sum covers."""
    return half_life_days / np.log(2.0) * (1.0 - 0.5 ** (span_days / half_life_days))


def trending(events: Events, n_items: int, now: int, recent_days: float = 7.0, baseline_days: float = 90.0, *,
             top: int = 1000, smoothing: float | None = None, min_lift: float = 1.2,
             type_weights: TypeWeights | None = None) -> Ranking:
    """Items whose recent rate clearly beats their long-term rate, one global row.

    R and B are decayed popularities with half-lives ``recent_days`` and ``baseline_days``,
    turned into daily rates r and b by dividing by the days each kernel covers within the
    data's span (so a steady seller has r ~= b even when history is shorter than the
    baseline). lift = (r + m) / (b + m) with m = ``smoothing`` / recent exposure, where
    ``smoothing`` (default: one event of the heaviest type, about one sale) keeps one-off
    sales of unknown items from an infinite lift. score = log(lift) * log1p(R): the
    log1p(R) factor favours surges with volume. Items with lift below ``min_lift`` are left
    out: steady sellers hover around 1.
    """
    if recent_days <= 0 or baseline_days <= 0:
        raise ValueError("recent_days and baseline_days must be positive")
    live = events.ts[events.ts <= now]
    if live.shape[0] == 0:
        return _ranking(np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0), 1, top)
    span = max((now - int(live.min())) / DAY, 1.0)
    recent = decayed_popularity(events, n_items, now, recent_days, type_weights).astype(np.float64)
    base = decayed_popularity(events, n_items, now, baseline_days, type_weights).astype(np.float64)
    exp_r, exp_b = _exposure_days(recent_days, span), _exposure_days(baseline_days, span)
    prior = float(_weight_table(type_weights).max()) if smoothing is None else smoothing
    m = max(prior, 1e-9) / exp_r
    lift = (recent / exp_r + m) / (base / exp_b + m)
    score = np.where(lift >= min_lift, np.log(lift) * np.log1p(recent), 0.0)
    return _ranking(np.zeros(n_items, np.int64), np.arange(n_items), score, 1, top)


def recent_counts(events: Events, n_items: int, now: int, days: float = 7.0,
                  kinds: Iterable[int] = (EventType.PURCHASE,)) -> np.ndarray:
    """int32[n_items]: how many orders (purchases) or sessions (other kinds) involved each
    item in the ``days`` before ``now`` (inclusive of ``now``).

    Purchases count distinct orders (a purchase without an order id counts by session), so
    a 3-unit line or a duplicated export row is one; other kinds count distinct sessions, so
    reloading a page is not a second view.
    """
    kinds_arr = np.asarray([int(k) for k in kinds], dtype=np.int8)
    in_window = (events.ts <= now) & (events.ts > now - days * DAY)
    sel = np.flatnonzero(np.isin(events.kind, kinds_arr) & in_window)
    if sel.shape[0] == 0 or n_items == 0:
        return np.zeros(n_items, dtype=np.int32)
    buy = events.kind[sel] == EventType.PURCHASE
    order, session = events.order[sel], events.session[sel]
    # Context ids in separate ranges: orders, sessions of purchases without an order,
    # sessions of other events, and one id per event that has neither.
    n_orders = int(max(events.order.max(), -1)) + 1
    n_sessions = int(max(events.session.max(), -1)) + 1
    by_order = buy & (order >= 0)
    by_buy_session = buy & ~by_order & (session >= 0)
    by_session = ~buy & (session >= 0)
    alone = ~(by_order | by_buy_session | by_session)
    ctx = np.empty(sel.shape[0], dtype=np.int64)
    ctx[by_order] = order[by_order]
    ctx[by_buy_session] = n_orders + session[by_buy_session]
    ctx[by_session] = n_orders + n_sessions + session[by_session]
    ctx[alone] = n_orders + 2 * n_sessions + np.arange(int(alone.sum()))
    span = n_orders + 2 * n_sessions + int(alone.sum())
    key = np.unique(events.item[sel].astype(np.int64) * span + ctx)
    return np.bincount(key // span, minlength=n_items)[:n_items].astype(np.int32)
