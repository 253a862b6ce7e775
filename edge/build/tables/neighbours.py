"""Behavioural neighbour tables: also viewed, viewed next, bought together, also bought.

Every table is a group-by over (group, item) pairs (see ``cooccur``) followed by a score per
pair and a top-k per row. The two halves are separate functions: ``*_pairs`` counts (the
integer ``Pairs`` aggregate, which the Spark builder computes its own way) and ``*_scores``
turns counts into the table; both builders call the same ``*_scores``, so their floats agree
to the bit. ``counts`` is always the number of groups (sessions, orders,
customers) behind a pair, the figure an explanation such as "bought together 41 times" shows.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from edge.build.frames import Events, EventType, Neighbours
from edge.build.tables.cooccur import (
    Pairs,
    count_pairs,
    directed_steps,
    empty_neighbours,
    group_starts,
    top_k_csr,
    undirected_pairs,
)

BROWSE_KINDS = (EventType.VIEW, EventType.CLICK, EventType.CART)


def _browse_mask(events: Events, kinds: Iterable[int] | None) -> np.ndarray:
    """Events that count as browsing; purchases join when the data has no views or clicks
    (purchase-only shops, whose sessions are then orders)."""
    if kinds is None:
        kinds = list(BROWSE_KINDS)
        if not np.isin(events.kind, (EventType.VIEW, EventType.CLICK)).any():
            kinds.append(EventType.PURCHASE)
    return np.isin(events.kind, np.asarray(list(kinds), dtype=np.int8)) & (events.session >= 0)


def _empty_pairs(n_items: int, directed: bool = False) -> Pairs:
    z = np.empty(0, np.int32)
    return Pairs(z, z, z, np.zeros(n_items, np.int32), np.empty(0, np.int16) if directed else None)


def cosine_scores(pairs: Pairs, n_items: int, k: int, shrinkage: float) -> Neighbours:
    """c_ij / (sqrt(n_i n_j) + shrinkage) over unordered pairs, mirrored to both rows."""
    if pairs.rows.shape[0] == 0:
        return empty_neighbours(n_items)
    nf = pairs.n.astype(np.float64)
    scores = pairs.counts / (np.sqrt(nf[pairs.rows] * nf[pairs.cols]) + shrinkage)
    return top_k_csr(pairs.rows, pairs.cols, scores, pairs.counts, n_items, k, symmetric=True)


def also_viewed_pairs(events: Events, n_items: int, window: int | None = 5, *, max_items: int = 100,
                      kinds: Iterable[int] | None = None) -> Pairs:
    mask = _browse_mask(events, kinds)
    if n_items == 0 or not mask.any():
        return _empty_pairs(n_items)
    starts = group_starts(events.session[mask])
    a, b, n = undirected_pairs(starts, events.item[mask], n_items, window=window, max_items=max_items)
    return Pairs.undirected(a, b, n, n_items)


def also_viewed(events: Events, n_items: int, k: int = 50, window: int | None = 5, *, shrinkage: float = 10.0,
                max_items: int = 100, kinds: Iterable[int] | None = None) -> Neighbours:
    """Items viewed in the same sessions.

    Pairs are the distinct items of a session, each paired with the next ``window`` distinct
    items (in first-view order; ``None`` pairs the whole session), first ``max_items``
    distinct items per session. ``kinds`` defaults to views, clicks and carts, plus
    purchases when there are no views or clicks at all.

    score_ij = c_ij / (sqrt(n_i * n_j) + shrinkage), with c_ij the sessions where i and j
    co-occur and n_i the sessions containing i: cosine keeps popular items from swamping every
    row, the shrinkage keeps single co-occurrences of rare items below well-evidenced pairs.
    """
    return cosine_scores(also_viewed_pairs(events, n_items, window, max_items=max_items, kinds=kinds),
                         n_items, k, shrinkage)


def viewed_next_pairs(events: Events, n_items: int, *, window: int = 3, max_items: int = 200,
                      kinds: Iterable[int] | None = None) -> Pairs:
    mask = _browse_mask(events, kinds)
    if n_items == 0 or not mask.any():
        return _empty_pairs(n_items, directed=True)
    starts = group_starts(events.session[mask])
    a, b, dist, n = directed_steps(starts, events.item[mask], n_items, window=window, max_items=max_items)
    width = max(int(window), 1)
    # One entry per (a, b, distance): columns b * width + dist - 1 are counted in linear time.
    pc = count_pairs(a, b.astype(np.int64) * width + dist - 1, n_items, n_cols=n_items * width)
    return Pairs(pc.rows(), (pc.cols // width).astype(np.int32), pc.counts, n,
                 (pc.cols % width + 1).astype(np.int16))


def sequence_scores(pairs: Pairs, n_items: int, k: int, *, decay: float = 0.5, shrinkage: float = 5.0) -> Neighbours:
    """w_ij / (n_i + shrinkage) with w_ij = sum over distances d of c_ijd * decay ** (d - 1),
    added in order of d so that the sum does not depend on the order of the entries."""
    if pairs.rows.shape[0] == 0 or pairs.dist is None:
        return empty_neighbours(n_items)
    key = pairs.rows.astype(np.int64) * n_items + pairs.cols
    order = np.lexsort((pairs.dist, key))
    key, dist, counts = key[order], pairs.dist[order].astype(np.int64), pairs.counts[order]
    first = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    group = np.cumsum(np.r_[True, key[1:] != key[:-1]]) - 1
    powers = float(decay) ** np.arange(int(dist.max()), dtype=np.float64)
    # bincount adds in array order: per pair, distance 1 first.
    weight = np.bincount(group, weights=counts * powers[dist - 1])
    total = np.add.reduceat(counts.astype(np.int64), first).astype(np.int32)
    rows, cols = key[first] // n_items, key[first] % n_items
    scores = weight / (pairs.n[rows].astype(np.float64) + shrinkage)
    return top_k_csr(rows, cols, scores, total, n_items, k)


def near_scores(pairs: Pairs, n_items: int, k: int, *, decay: float = 0.5, back: float = 0.5,
                shrinkage: float = 5.0) -> Neighbours:
    """Viewed near, from the viewed-next aggregate: both directions, the later one weighing more.

    w_ij = sum over distances d of (c_ijd + back * c_jid) * decay ** (d - 1), with c_ijd the
    sessions where j follows i at distance d; score_ij = w_ij / (n_i + shrinkage). Where
    ``viewed_next`` asks what comes after i, this asks what a session around i holds, nearer
    steps weighing more: the item-to-item form of a session-neighbourhood recommender, which
    validated better than either co-view table on click sessions (YOOCHOOSE). ``counts`` are
    the sessions behind the forward direction plus those behind the backward one.
    """
    if pairs.rows.shape[0] == 0 or pairs.dist is None:
        return empty_neighbours(n_items)
    rows = np.concatenate([pairs.rows, pairs.cols]).astype(np.int64)
    cols = np.concatenate([pairs.cols, pairs.rows]).astype(np.int64)
    dist = np.concatenate([pairs.dist, pairs.dist]).astype(np.int64)
    side = np.repeat(np.array([1.0, float(back)]), pairs.rows.shape[0])
    counts = np.concatenate([pairs.counts, pairs.counts]).astype(np.int64)
    key = rows * n_items + cols
    # Sum per pair in a fixed order (distance, then forward before backward) so floats do not
    # depend on the order the aggregate's entries come in.
    order = np.lexsort((-side, dist, key))
    key, dist, side, counts = key[order], dist[order], side[order], counts[order]
    new = np.r_[True, key[1:] != key[:-1]]
    first = np.flatnonzero(new)
    group = np.cumsum(new) - 1
    powers = float(decay) ** np.arange(int(dist.max()), dtype=np.float64)
    weight = np.bincount(group, weights=counts * side * powers[dist - 1])
    total = np.add.reduceat(counts, first).astype(np.int32)
    r, c = key[first] // n_items, key[first] % n_items
    scores = weight / (pairs.n[r].astype(np.float64) + shrinkage)
    return top_k_csr(r, c, scores, total, n_items, k)


def viewed_next(events: Events, n_items: int, k: int = 50, *, window: int = 3, decay: float = 0.5,
                shrinkage: float = 5.0, max_items: int = 200,
                kinds: Iterable[int] | None = None) -> Neighbours:
    """Directed: what is viewed within ``window`` steps after item i in the same session.

    Immediate repeats collapse (a reload is not a step). A follow at distance d weighs
    ``decay ** (d - 1)``, once per session (nearest distance). With w_ij the summed weights and
    n_i the sessions containing i, score_ij = w_ij / (n_i + shrinkage): an estimate of
    P(j next | i) that is damped for items seen in few sessions. ``counts`` are sessions.
    """
    pairs = viewed_next_pairs(events, n_items, window=window, max_items=max_items, kinds=kinds)
    return sequence_scores(pairs, n_items, k, decay=decay, shrinkage=shrinkage)


def bought_together_pairs(events: Events, n_items: int, *, max_items: int = 50) -> Pairs:
    mask = (events.kind == EventType.PURCHASE) & (events.order >= 0)
    if n_items == 0 or not mask.any():
        return _empty_pairs(n_items)
    idx = np.flatnonzero(mask)
    idx = idx[np.argsort(events.order[idx], kind="stable")]
    starts = group_starts(events.order[idx])
    a, b, n = undirected_pairs(starts, events.item[idx], n_items, max_items=max_items)
    return Pairs.undirected(a, b, n, n_items)


def basket_scores(pairs: Pairs, n_items: int, k: int, *, shrinkage: float = 3.0, alpha: float = 0.5) -> Neighbours:
    """c / (c + shrinkage) * c / (n_i ** alpha * n_j ** (1 - alpha)), both directions of every pair."""
    if pairs.rows.shape[0] == 0:
        return empty_neighbours(n_items)
    rows, cols = pairs.rows, pairs.cols
    c = pairs.counts.astype(np.float64)
    nr, nc = pairs.n[rows].astype(np.float64), pairs.n[cols].astype(np.float64)
    confidence = c / (c + shrinkage) * c
    scores = confidence / (nr ** alpha * nc ** (1.0 - alpha))
    scores_t = None if alpha == 0.5 else confidence / (nc ** alpha * nr ** (1.0 - alpha))
    return top_k_csr(rows, cols, scores, pairs.counts, n_items, k, symmetric=True, scores_t=scores_t)


def bought_together(events: Events, n_items: int, k: int = 50, *, shrinkage: float = 3.0, alpha: float = 0.5,
                    max_items: int = 50) -> Neighbours:
    """Items in the same order (purchase events with an order id).

    score_ij = c_ij / (c_ij + shrinkage) * c_ij / (n_i**alpha * n_j**(1 - alpha)), with c_ij
    the orders containing both and n_i the orders containing i. The second factor runs from
    confidence (alpha = 1, popular add-ons everywhere) to lift (alpha = 0, rare items win);
    0.5 is the cosine between them and keeps the table symmetric. The first factor discounts
    pairs seen in only a few orders (1 order: x0.25, 20 orders: x0.87 at the default).
    Only the first ``max_items`` distinct lines of an order pair up (wholesale baskets).
    """
    return basket_scores(bought_together_pairs(events, n_items, max_items=max_items), n_items, k,
                         shrinkage=shrinkage, alpha=alpha)


def also_bought_pairs(events: Events, n_items: int, *, max_items: int = 50) -> Pairs:
    mask = (events.kind == EventType.PURCHASE) & (events.user >= 0)
    if n_items == 0 or not mask.any():
        return _empty_pairs(n_items)
    idx = np.flatnonzero(mask)
    idx = idx[np.lexsort((-events.ts[idx], events.user[idx]))]
    starts = group_starts(events.user[idx])
    a, b, n = undirected_pairs(starts, events.item[idx], n_items, max_items=max_items)
    return Pairs.undirected(a, b, n, n_items)


def also_bought(events: Events, n_items: int, k: int = 50, *, shrinkage: float = 10.0,
                max_items: int = 50) -> Neighbours:
    """Customers who bought i also bought j, over each customer's whole purchase history.

    score_ij = c_ij / (sqrt(n_i * n_j) + shrinkage) with c_ij the customers (user ids) who
    bought both and n_i the customers who bought i. A customer contributes only their
    ``max_items`` most recently bought distinct items, so resellers with thousands of
    products neither dominate the counts nor cost quadratic time.
    """
    return cosine_scores(also_bought_pairs(events, n_items, max_items=max_items), n_items, k, shrinkage)
