"""Time-split evaluation protocols over encoded events.

Everything before the cut-off trains a snapshot; sessions and orders that start at or after
it become test cases. Items already seen in a case are never targets (and are excluded from
recommendations by the caller).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import pairwise

import numpy as np

from edge.build.frames import Events, EventType


@dataclass(frozen=True)
class Case:
    seeds: np.ndarray    # int32 dense ids the model may use (history or cart), most recent last
    target: int          # the held-out item
    user: int            # dense user id, -1 unknown


def cutoff(events: Events, train_share: float) -> int:
    """The time at which ``train_share`` of the sessions have started."""
    starts = _group_starts(events.session, events.ts)
    return int(np.quantile(starts, train_share, method="lower")) + 1 if starts.size else 0


def _group_starts(group: np.ndarray, ts: np.ndarray) -> np.ndarray:
    order = np.lexsort((ts, group))
    g = group[order]
    first = np.ones(g.shape[0], dtype=bool)
    first[1:] = g[1:] != g[:-1]
    return ts[order][first]


def _groups(key: np.ndarray, items: np.ndarray, start_ts: np.ndarray, cut: int) -> Iterator[tuple[int, np.ndarray]]:
    """Yield (group key, distinct items in first-seen order) for groups starting at or after ``cut``.

    ``key`` must be grouped (events are sorted by session); within a group the event order is kept."""
    if key.size == 0:
        return
    bounds = np.flatnonzero(np.r_[True, key[1:] != key[:-1], True])
    for lo, hi in pairwise(bounds):
        if start_ts[lo] < cut:
            continue
        seq = items[lo:hi]
        _, first = np.unique(seq, return_index=True)
        yield int(key[lo]), seq[np.sort(first)]


def next_item_cases(events: Events, cut: int, max_items: int = 30) -> Iterator[Case]:
    """For each test session and each k: items 1..k predict item k+1."""
    session_start = _starts_per_event(events.session, events.ts)
    users = events.user
    for lo_key, seq in _groups(events.session, events.item, session_start, cut):
        seq = seq[:max_items]
        user = int(users[np.searchsorted(events.session, lo_key)])
        for k in range(1, seq.shape[0]):
            yield Case(seeds=seq[:k].astype(np.int32), target=int(seq[k]), user=user)


def basket_cases(events: Events, cut: int, max_items: int = 30, seed: int = 0, *,
                 every: bool = False) -> Iterator[Case]:
    """Hold out one item of each test order with >= 2 distinct items; the rest is the cart.
    ``every``: each item in turn (the protocol the shop figures are compared on)."""
    rng = np.random.default_rng(seed)
    is_order = (events.kind == EventType.PURCHASE) & (events.order >= 0)
    idx = np.flatnonzero(is_order)
    idx = idx[np.argsort(events.order[idx], kind="stable")]
    order_key = events.order[idx]
    start = _starts_per_event(order_key, events.ts[idx])
    users = events.user[idx]
    for key, items in _groups(order_key, events.item[idx], start, cut):
        if items.shape[0] < 2:
            continue
        if items.shape[0] > max_items:
            items = rng.choice(items, size=max_items, replace=False)
        user = int(users[np.searchsorted(order_key, key)])
        for held in range(items.shape[0]) if every else (int(rng.integers(items.shape[0])),):
            cart = np.delete(items, held).astype(np.int32)
            yield Case(seeds=cart, target=int(items[held]), user=user)


def _starts_per_event(key: np.ndarray, ts: np.ndarray) -> np.ndarray:
    """Each event's group start time (``key`` grouped, not necessarily sorted by time)."""
    bounds = np.flatnonzero(np.r_[True, key[1:] != key[:-1]]) if key.size else np.zeros(0, dtype=np.int64)
    mins = np.minimum.reduceat(ts, bounds) if key.size else ts
    lengths = np.diff(np.r_[bounds, key.shape[0]])
    return np.repeat(mins, lengths)
