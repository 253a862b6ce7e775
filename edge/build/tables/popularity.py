"""Time-decayed popularity, bestseller and trending rankings, social-proof counts.

Every event weighs ``type_weights[kind] * 0.5 ** (age_days / half_life_days)``; events after
``now`` are ignored. A purchase counts once per order line (events of the same order and
item merge, quantities add up) and weighs ``log2(1 + quantity)`` times its type weight
(1 for a single unit), so one wholesale order of 500 units counts like ~9 ordinary sales.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Literal, NamedTuple, TypeAlias

import numpy as np

from edge.build.frames import Events, EventType, Ranking

DAY = 86_400.0

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


class Lines(NamedTuple):
    """The aggregate behind every popularity figure, whichever engine computed it: live events
    (``ts <= now``) as weighted lines with a multiplicity. A purchase line is one order's
    purchases of one item (or a purchase without an order), at its latest event, with
    ``units`` its summed quantity (each row at least one unit); other events are lines of
    one with ``units`` 1. Identical lines may be listed once with ``copies`` or several times:
    ``canonical`` merges them, so the float sums below do not depend on how they arrived."""

    item: np.ndarray     # int32
    kind: np.ndarray     # int8
    ts: np.ndarray       # int64
    units: np.ndarray    # float64
    region: np.ndarray   # int32, -1 unknown
    segment: np.ndarray  # int32, -1 unknown
    copies: np.ndarray   # int64, how many identical lines this entry stands for

    def __len__(self) -> int:
        return int(self.item.shape[0])


def event_lines(events: Events, now: int) -> Lines:
    """The ``Lines`` of ``events`` as of ``now`` (a purchase line takes its latest row's
    region and segment; ties in time go to the later row)."""
    live = np.flatnonzero(events.ts <= now)
    kind = events.kind[live]
    other = live[kind != EventType.PURCHASE]
    buy = live[kind == EventType.PURCHASE]
    units = np.ones(other.shape[0], np.float64)
    rep = buy
    if buy.shape[0]:
        q = events.quantity[buy].astype(np.float64)
        q[~(q > 0)] = 1.0  # NaN, zero or negative quantities count as one unit
        order, item = events.order[buy], events.item[buy].astype(np.int64)
        key = np.where(order >= 0, order * (int(item.max()) + 1) + item, -1 - np.arange(buy.shape[0]))
        srt = np.lexsort((events.ts[buy], key))
        ks = key[srt]
        last = np.flatnonzero(np.r_[ks[1:] != ks[:-1], True])
        first = np.r_[0, last[:-1] + 1]
        rep = buy[srt[last]]
        units = np.r_[units, np.add.reduceat(q[srt], first)]
    idx = np.r_[other, rep].astype(np.int64)
    return Lines(item=events.item[idx].astype(np.int32), kind=events.kind[idx].astype(np.int8), ts=events.ts[idx],
                 units=units, region=events.region[idx].astype(np.int32),
                 segment=events.segment[idx].astype(np.int32), copies=np.ones(idx.shape[0], np.int64))


def canonical(lines: Lines, group: np.ndarray | None = None) -> tuple[np.ndarray, Lines]:
    """Lines merged on (group, item, ts, kind, units) and sorted by that key; returns the group
    column (zeros without one) beside them. Region and segment are dropped (-1)."""
    g = np.zeros(len(lines), np.int64) if group is None else np.asarray(group, np.int64)
    order = np.lexsort((lines.units, lines.kind, lines.ts, lines.item, g))
    cols = (g[order], lines.item[order], lines.ts[order], lines.kind[order], lines.units[order])
    change = np.zeros(order.shape[0], bool)
    change[:1] = True
    for c in cols:
        change[1:] |= c[1:] != c[:-1]
    first = np.flatnonzero(change)
    copies = np.add.reduceat(lines.copies[order], first) if first.shape[0] else np.empty(0, np.int64)
    none = np.full(first.shape[0], -1, np.int32)
    merged = Lines(item=cols[1][first], kind=cols[3][first], ts=cols[2][first], units=cols[4][first],
                   region=none, segment=none, copies=copies)
    return cols[0][first], merged


def line_weights(lines: Lines, now: int, half_life_days: float,
                 type_weights: TypeWeights | None = None) -> np.ndarray:
    """Decayed weight of every line times its copies (float64)."""
    if half_life_days <= 0:
        raise ValueError("half_life_days must be positive")
    table = _weight_table(type_weights)
    decay = np.exp2(-((now - lines.ts).astype(np.float64) / DAY) / half_life_days)
    w = table[lines.kind.astype(np.intp)] * decay
    buy = lines.kind == EventType.PURCHASE
    w[buy] = table[EventType.PURCHASE] * np.log2(1.0 + lines.units[buy]) * decay[buy]
    w[lines.ts > now] = 0.0
    return w * lines.copies


def popularity_of(lines: Lines, n_items: int, now: int, half_life_days: float = 30.0,
                  type_weights: TypeWeights | None = None) -> np.ndarray:
    """float32[n_items]: decayed popularity from lines, summed per item in canonical order."""
    _, merged = canonical(lines)
    w = line_weights(merged, now, half_life_days, type_weights)
    # bincount adds in array order, which canonical() fixed.
    return np.bincount(merged.item, weights=w, minlength=n_items)[:n_items].astype(np.float32)


def decayed_popularity(events: Events, n_items: int, now: int, half_life_days: float = 30.0,
                       type_weights: TypeWeights | None = None) -> np.ndarray:
    """float32[n_items]: sum of decayed event weights per item (see module docstring)."""
    return popularity_of(event_lines(events, now), n_items, now, half_life_days, type_weights)


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
        return ranking_of(event_lines(events, now), n_items, now, half_life_days, type_weights=type_weights)
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
    if per == "item":
        if group.shape[0] != n_items:
            raise ValueError("a per-item group needs one entry per item")
        return ranking_of(event_lines(events, now), n_items, now, half_life_days, item_group=group,
                          n_groups=n_groups, top=top, type_weights=type_weights)
    if group.shape[0] != len(events):
        raise ValueError("a per-event group needs one entry per event")
    tagged = Events(ts=events.ts, kind=events.kind, item=events.item, session=events.session, user=events.user,
                    order=events.order, quantity=events.quantity, price=events.price,
                    region=group.astype(np.int32), segment=events.segment)
    return ranking_of(event_lines(tagged, now), n_items, now, half_life_days, line_group="region",
                      n_groups=n_groups, top=top, type_weights=type_weights)


def ranking_of(lines: Lines, n_items: int, now: int, half_life_days: float = 30.0, *,
               item_group: np.ndarray | None = None, line_group: Literal["region", "segment"] | None = None,
               n_groups: int = 1, top: int | None = None,
               type_weights: TypeWeights | None = None) -> Ranking:
    """Bestsellers from lines: one global row; or per item group (each group's items by global
    popularity); or per line group (popularity earned within the region or segment)."""
    if line_group is None:
        pop = popularity_of(lines, n_items, now, half_life_days, type_weights).astype(np.float64)
        if item_group is None:
            return _ranking(np.zeros(n_items, np.int64), np.arange(n_items), pop, 1, None)
        return _ranking(np.asarray(item_group, np.int64), np.arange(n_items), pop, n_groups, top)
    g, merged = canonical(lines, getattr(lines, line_group))
    w = line_weights(merged, now, half_life_days, type_weights)
    sel = (w > 0) & (g >= 0) & (g < n_groups)
    key = g[sel] * max(n_items, 1) + merged.item[sel]
    # Lines are sorted by (group, item), so equal keys are adjacent; bincount adds in order.
    new = np.r_[True, key[1:] != key[:-1]] if key.shape[0] else np.zeros(0, bool)
    cell = np.cumsum(new) - 1
    score = np.bincount(cell, weights=w[sel]) if key.shape[0] else np.empty(0)
    cells = key[new]
    return _ranking(cells // max(n_items, 1), cells % max(n_items, 1), score, n_groups, top)


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
    return trending_of(event_lines(events, now), n_items, now, recent_days, baseline_days, top=top,
                       smoothing=smoothing, min_lift=min_lift, type_weights=type_weights)


def trending_of(lines: Lines, n_items: int, now: int, recent_days: float = 7.0, baseline_days: float = 90.0, *,
                top: int = 1000, smoothing: float | None = None, min_lift: float = 1.2,
                type_weights: TypeWeights | None = None) -> Ranking:
    """``trending`` from lines."""
    if recent_days <= 0 or baseline_days <= 0:
        raise ValueError("recent_days and baseline_days must be positive")
    live = lines.ts[lines.ts <= now]
    if live.shape[0] == 0:
        return _ranking(np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0), 1, top)
    span = max((now - int(live.min())) / DAY, 1.0)
    recent = popularity_of(lines, n_items, now, recent_days, type_weights).astype(np.float64)
    base = popularity_of(lines, n_items, now, baseline_days, type_weights).astype(np.float64)
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
