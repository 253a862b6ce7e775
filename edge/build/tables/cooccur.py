"""Shared co-occurrence machinery: item pairs within groups, sparse pair counts, top-k rows.

A *group* is a contiguous run of equal ids in a sorted array (a session, an order, one
customer's history). Every table is the same three steps:

1. ``undirected_pairs`` / ``directed_pairs``: the item pairs of each group, each pair at most
   once per group, plus how many groups contain each item;
2. ``count_pairs``: sum duplicates into a row-major CSR (a counting sort by row, then a
   merge through a per-column slot array: linear time, unlike a global sort of pair keys);
3. ``top_k_csr``: keep the ``k`` best entries of every row.

Big groups: only the first ``max_items`` distinct items of a group take part (callers order
groups so that "first" is meaningful, e.g. most recent first). A 500-line wholesale basket
therefore costs ``max_items * (max_items - 1) / 2`` pairs, not 125 000; with a window the
cost per group is at most ``max_items * window``.
"""

from __future__ import annotations

from typing import NamedTuple

import numba
import numpy as np

from edge.build.frames import Neighbours

DEFAULT_MAX_GROUP_ITEMS = 100


class PairCounts(NamedTuple):
    """Aggregated pairs in CSR form: row ``a`` lists each ``b`` it was paired with once."""

    indptr: np.ndarray   # int64, n_items + 1
    cols: np.ndarray     # int32
    weight: np.ndarray   # float64, summed pair weights
    counts: np.ndarray   # int32, number of groups in which the pair occurred

    def rows(self) -> np.ndarray:
        return np.repeat(np.arange(self.indptr.shape[0] - 1, dtype=np.int32), np.diff(self.indptr))


class Pairs(NamedTuple):
    """The integer aggregate behind one co-occurrence table, whichever engine computed it.

    Entry e says ``counts[e]`` groups paired ``rows[e]`` with ``cols[e]`` (at step distance
    ``dist[e]`` for sequence tables, where one pair may have an entry per distance; undirected
    tables hold each pair once, row < col). ``n[i]`` is the number of groups containing item i.
    Entry order carries no meaning: every score is a function of one entry, and ties break by id.
    """

    rows: np.ndarray     # int32
    cols: np.ndarray     # int32
    counts: np.ndarray   # int32
    n: np.ndarray        # int32, n_items
    dist: np.ndarray | None = None  # int16, 1..window (sequence tables)

    @classmethod
    def undirected(cls, a: np.ndarray, b: np.ndarray, n: np.ndarray, n_items: int) -> Pairs:
        pc = count_pairs(a, b, n_items)
        return cls(pc.rows(), pc.cols, pc.counts, n)


def group_starts(groups: np.ndarray) -> np.ndarray:
    """Boundaries (int64, n_groups + 1) of the runs of equal values in ``groups``."""
    n = groups.shape[0]
    if n == 0:
        return np.zeros(1, dtype=np.int64)
    change = np.flatnonzero(groups[1:] != groups[:-1]) + 1
    return np.concatenate(([0], change, [n])).astype(np.int64)


@numba.njit(cache=True)
def _distinct(items, s, e, mark, tag, out, max_items):
    # First-occurrence distinct items of items[s:e]; `mark[item] == tag` means already taken.
    m = 0
    for p in range(s, e):
        it = items[p]
        if mark[it] != tag:
            mark[it] = tag
            out[m] = it
            m += 1
            if m == max_items:
                break
    return m


@numba.njit(cache=True)
def _undirected(starts, items, n_items, window, max_items):
    n_groups = starts.shape[0] - 1
    mark = np.full(n_items, -1, np.int64)
    buf = np.empty(max_items, np.int32)
    total = 0
    for g in range(n_groups):
        m = _distinct(items, starts[g], starts[g + 1], mark, g, buf, max_items)
        for p in range(m):
            total += min(window, m - 1 - p)
    a = np.empty(total, np.int32)
    b = np.empty(total, np.int32)
    n = np.zeros(n_items, np.int32)
    t = 0
    for g in range(n_groups):
        m = _distinct(items, starts[g], starts[g + 1], mark, g + n_groups, buf, max_items)
        for p in range(m):
            x = buf[p]
            n[x] += 1
            for q in range(p + 1, min(m, p + 1 + window)):
                a[t], b[t] = min(x, buf[q]), max(x, buf[q])
                t += 1
    return a, b, n


def undirected_pairs(starts: np.ndarray, items: np.ndarray, n_items: int, *, window: int | None = None,
                     max_items: int = DEFAULT_MAX_GROUP_ITEMS) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Unordered pairs (a < b) of distinct items per group, each at most once per group.

    Per group, the first ``max_items`` distinct items (in array order) are kept; with a
    ``window`` an item is paired only with the next ``window`` distinct items after it.
    Returns ``(a, b, n)`` where ``n[i]`` is the number of groups containing item ``i``.
    """
    if max_items < 1:
        raise ValueError("max_items must be at least 1")
    w = max_items if window is None else max(int(window), 0)
    return _undirected(starts.astype(np.int64, copy=False), items.astype(np.int32, copy=False),
                       int(n_items), w, int(max_items))


@numba.njit(cache=True)
def _directed(starts, items, n_items, window, max_items):
    n_groups = starts.shape[0] - 1
    mark = np.full(n_items, -1, np.int64)
    seq = np.empty(max_items, np.int32)
    # Upper bound of the pairs: every position pairs with at most `window` successors.
    total = 0
    for g in range(n_groups):
        total += min(starts[g + 1] - starts[g], max_items) * window
    a = np.empty(total, np.int32)
    b = np.empty(total, np.int32)
    dist = np.empty(total, np.int16)
    n = np.zeros(n_items, np.int32)
    t = 0
    for g in range(n_groups):
        # Collapse immediate repeats (reloads, view -> cart of the same item), then cap.
        m = 0
        prev = -1
        for p in range(starts[g], starts[g + 1]):
            it = items[p]
            if it != prev:
                seq[m] = it
                m += 1
                prev = it
                if m == max_items:
                    break
        for p in range(m):
            if mark[seq[p]] != g:
                mark[seq[p]] = g
                n[seq[p]] += 1
        # Pairs of this group with their distance, deduped keeping the nearest.
        cnt = 0
        keys = np.empty(m * window, np.int64)
        steps = np.empty(m * window, np.int16)
        for p in range(m):
            for d in range(1, window + 1):
                q = p + d
                if q >= m:
                    break
                if seq[q] != seq[p]:
                    keys[cnt] = np.int64(seq[p]) * n_items + seq[q]
                    steps[cnt] = d
                    cnt += 1
        if cnt == 0:
            continue
        order = np.argsort(keys[:cnt])
        last = np.int64(-1)
        for o in order:
            key = keys[o]
            if key != last:
                a[t], b[t], dist[t] = key // n_items, key % n_items, steps[o]
                t += 1
                last = key
            elif steps[o] < dist[t - 1]:
                dist[t - 1] = steps[o]
    return a[:t], b[:t], dist[:t], n


def directed_steps(
    starts: np.ndarray, items: np.ndarray, n_items: int, *, window: int = 3, max_items: int = 200,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Ordered pairs ``a -> b`` where ``b`` follows ``a`` within ``window`` steps of a group.

    Immediate repeats are collapsed first and only the first ``max_items`` steps of a group
    count. A pair seen several times in one group counts once, at its nearest distance.
    Returns ``(a, b, dist, n)`` with ``dist`` in 1..window (int16) and ``n[i]`` the number of
    groups containing ``i``.
    """
    if max_items < 1:
        raise ValueError("max_items must be at least 1")
    return _directed(starts.astype(np.int64, copy=False), items.astype(np.int32, copy=False), int(n_items),
                     max(int(window), 0), int(max_items))


def directed_pairs(
    starts: np.ndarray, items: np.ndarray, n_items: int, *, window: int = 3, decay: float = 0.5,
    max_items: int = 200,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``directed_steps`` with each pair weighed ``decay ** (dist - 1)``: ``(a, b, w, n)``."""
    a, b, dist, n = directed_steps(starts, items, n_items, window=window, max_items=max_items)
    return a, b, float(decay) ** (dist.astype(np.float64) - 1.0), n


@numba.njit(cache=True)
def _count(a, b, w, n_items, n_cols, weighted):
    e = a.shape[0]
    indptr = np.zeros(n_items + 1, np.int64)
    for i in range(e):
        indptr[a[i] + 1] += 1
    for r in range(n_items):
        indptr[r + 1] += indptr[r]
    fill = indptr[:-1].copy()
    cols = np.empty(e, np.int32)
    wts = np.empty(e if weighted else 0, np.float64)
    for i in range(e):
        p = fill[a[i]]
        cols[p] = b[i]
        if weighted:
            wts[p] = w[i]
        fill[a[i]] = p + 1
    # Merge duplicates of a row through `slot[col]`, the output position of col in the current
    # row; positions from earlier rows are below the row's first output position.
    slot = np.full(n_cols, -1, np.int64)
    out_ptr = np.zeros(n_items + 1, np.int64)
    out_cols = np.empty(e, np.int32)
    out_w = np.empty(e if weighted else 0, np.float64)
    out_n = np.empty(e, np.int32)
    t = 0
    for r in range(n_items):
        first = t
        for p in range(indptr[r], indptr[r + 1]):
            c = cols[p]
            q = slot[c]
            if q >= first:
                out_n[q] += 1
                if weighted:
                    out_w[q] += wts[p]
            else:
                slot[c] = t
                out_cols[t], out_n[t] = c, 1
                if weighted:
                    out_w[t] = wts[p]
                t += 1
        out_ptr[r + 1] = t
    counts = out_n[:t].copy()
    weight = out_w[:t].copy() if weighted else counts.astype(np.float64)
    return out_ptr, out_cols[:t].copy(), weight, counts


def count_pairs(a: np.ndarray, b: np.ndarray, n_items: int, w: np.ndarray | None = None, *,
                n_cols: int | None = None) -> PairCounts:
    """Sum duplicate ``(a, b)`` pairs: ``counts`` = occurrences, ``weight`` = sum of ``w`` (or counts).
    Rows are < ``n_items``, columns < ``n_cols`` (default ``n_items``)."""
    weighted = w is not None
    wa = np.asarray(w, dtype=np.float64) if weighted else np.empty(0, np.float64)
    indptr, cols, weight, counts = _count(a.astype(np.int32, copy=False), b.astype(np.int32, copy=False), wa,
                                         int(n_items), int(n_items if n_cols is None else n_cols), weighted)
    return PairCounts(indptr, cols, weight, counts)


@numba.njit(cache=True)
def _top_k(rows, cols, scores, counts, scores_t, n_items, k, symmetric, transposed):
    e = rows.shape[0]
    deg = np.zeros(n_items + 1, np.int64)
    for i in range(e):
        r, c = rows[i], cols[i]
        if r == c:
            continue
        if scores[i] > 0:  # also drops NaN
            deg[r + 1] += 1
        if symmetric and (scores_t[i] if transposed else scores[i]) > 0:
            deg[c + 1] += 1
    out_ptr = np.zeros(n_items + 1, np.int64)
    for r in range(n_items):
        out_ptr[r + 1] = out_ptr[r] + min(deg[r + 1], k)
        deg[r + 1] += deg[r]
    fill = deg[:-1].copy()
    total = deg[n_items]
    bc = np.empty(total, np.int32)
    bs = np.empty(total, np.float32)
    bn = np.empty(total, np.int32)
    for i in range(e):
        r, c = rows[i], cols[i]
        if r == c:
            continue
        if scores[i] > 0:
            p = fill[r]
            bc[p], bs[p], bn[p] = c, scores[i], counts[i]
            fill[r] = p + 1
        if symmetric:
            st = scores_t[i] if transposed else scores[i]
            if st > 0:
                p = fill[c]
                bc[p], bs[p], bn[p] = r, st, counts[i]
                fill[c] = p + 1
    # Sort key: descending score, then ascending id. Positive float32 bit patterns order like
    # the floats, so one int64 key per entry does both.
    bits = bs.view(np.int32)
    out_idx = np.empty(out_ptr[n_items], np.int32)
    out_s = np.empty(out_ptr[n_items], np.float32)
    out_n = np.empty(out_ptr[n_items], np.int32)
    for r in range(n_items):
        s, f = deg[r], deg[r + 1]
        m = f - s
        if m == 0:
            continue
        keys = np.empty(m, np.int64)
        for j in range(m):
            keys[j] = (np.int64(0x7FFFFFFF - bits[s + j]) << 32) | np.int64(bc[s + j])
        if m > k:
            kth = np.partition(keys, k - 1)[k - 1]
            sel = np.flatnonzero(keys <= kth)
        else:
            sel = np.arange(m)
        order = sel[np.argsort(keys[sel])]
        o = out_ptr[r]
        for j in range(min(order.shape[0], k)):
            x = s + order[j]
            out_idx[o + j], out_s[o + j], out_n[o + j] = bc[x], bs[x], bn[x]
    return out_ptr, out_idx, out_s, out_n


def top_k_csr(rows: np.ndarray, cols: np.ndarray, scores: np.ndarray, counts: np.ndarray, n_items: int,
              k: int, *, symmetric: bool = False, scores_t: np.ndarray | None = None) -> Neighbours:
    """The ``k`` best entries of every row, by descending score then ascending id.

    Entries are ``(rows[e], cols[e])`` with ``scores[e]`` and ``counts[e]``; each pair must
    occur at most once. Self pairs and scores that are not > 0 (or NaN) are dropped. With
    ``symmetric`` every entry also stands for ``(cols[e], rows[e])`` (same count, score
    ``scores_t[e]`` if given), so an upper triangle need not be mirrored in memory.
    """
    if k < 0:
        raise ValueError("k must be >= 0")
    if k == 0:
        return empty_neighbours(n_items)
    transposed = scores_t is not None
    st = np.asarray(scores_t, np.float32) if transposed else np.empty(0, np.float32)
    indptr, indices, out_scores, out_counts = _top_k(
        np.asarray(rows, np.int32), np.asarray(cols, np.int32), np.asarray(scores, np.float32),
        np.asarray(counts, np.int32), st, int(n_items), int(k), bool(symmetric), transposed)
    return Neighbours(indptr=indptr, indices=indices, scores=out_scores, counts=out_counts)


def empty_neighbours(n_items: int) -> Neighbours:
    return Neighbours(indptr=np.zeros(n_items + 1, np.int64), indices=np.empty(0, np.int32),
                      scores=np.empty(0, np.float32), counts=np.empty(0, np.int32))
