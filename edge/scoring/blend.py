"""Candidate generation: blend neighbour tables around a set of seed items.

The neighbour tables share one stacked CSR: ``indptr`` is int64 (T, n+1), one row of
offsets per table, into the concatenated ``indices`` (int32) and ``scores`` (float32).
A request touches only a few thousand neighbours of a catalog of up to 1M items, so
candidates are accumulated in a small open-addressing hash table sized from the seeds'
row lengths: nothing here is O(n_items).
"""

from __future__ import annotations

import numba
import numpy as np

from edge.scoring.memory import prefetch

# Knuth's multiplicative hash: the high bits of id * 2**32/phi spread dense ids evenly.
_GOLDEN = 2654435761
_FREE = np.uint64(0xFFFFFFFFFFFFFFFF)  # no position reaches 2**32 - 1
_LOW = np.uint64(0xFFFFFFFF)
_LINE = 16  # 4-byte entries per 64-byte cache line


@numba.njit(cache=True, nogil=True)
def recency_weights(m, half_life):
    """float32[m] weights for a history ordered oldest first: the last item gets 1.0 and
    item m-1-j gets 0.5 ** (j / half_life). half_life <= 0 (or NaN) means no decay."""
    m = max(m, 0)
    w = np.ones(m, np.float32)
    if half_life > 0.0:
        # A running float64 product: one pow instead of m, exact to float32 rounding.
        step = 0.5 ** (1.0 / half_life)
        x = 1.0
        for i in range(m - 1, -1, -1):
            w[i] = x
            x *= step
    return w


@numba.njit(cache=True, nogil=True)
def _row(indptr, t, item, n_nb):
    # Clamp to the neighbour arrays so a damaged snapshot can never read out of bounds.
    lo = max(indptr[t, item], 0)
    hi = min(indptr[t, item + 1], n_nb)
    return lo, max(hi, lo)


@numba.njit(cache=True, nogil=True)
def accumulate(indptr, indices, scores, seeds, seed_weights, table_weights):
    """Unique candidate ids and their float64 summed scores, in first-seen order."""
    n_items = indptr.shape[1] - 1
    n_tables = min(indptr.shape[0], table_weights.shape[0])
    n_seeds = min(seeds.shape[0], seed_weights.shape[0])
    n_nb = min(indices.shape[0], scores.shape[0])

    # Pass 0: every seed's row offsets asked for at once (one line per table and seed).
    for s in range(n_seeds):
        item = seeds[s]
        if 0 <= item < n_items:
            for t in range(n_tables):
                prefetch(indptr, t, item)
    # Pass 1: the total row length bounds the candidate count, so the hash table is
    # sized once and never grows (load factor <= 2/3).
    total = 0
    for s in range(n_seeds):
        item = seeds[s]
        if item < 0 or item >= n_items or seed_weights[s] == 0:
            continue
        for t in range(n_tables):
            if table_weights[t] != 0:
                lo, hi = _row(indptr, t, item, n_nb)
                total += hi - lo
                for q in range(lo, hi + _LINE - 1, _LINE):  # every row asked for before pass 2 reads any
                    prefetch(indices, min(q, hi - 1), 0)
                    prefetch(scores, min(q, hi - 1), 0)

    # One table of (position << 32 | id) words, so a probe reads one word, not an id and a position from
    # two arrays; sized to 1.5 x the row lengths (rows overlap, so it is mostly far emptier than that).
    bits = 1
    while (1 << bits) < total + (total >> 1):
        bits += 1
    mask = (1 << bits) - 1
    shift = 32 - bits
    table = np.full(1 << bits, _FREE, np.uint64)
    ids = np.empty(total, np.int32)
    acc = np.empty(total, np.float64)
    # Unsigned, like the table's positions: indexing with a signed value that LLVM cannot prove
    # non-negative costs a wrap-around check per access.
    count = np.uint64(0)

    # Pass 2: accumulate. Slots point into the dense output arrays, so the result needs
    # no scan over the (mostly empty) table.
    for s in range(n_seeds):
        item = seeds[s]
        if item < 0 or item >= n_items or seed_weights[s] == 0:
            continue
        for t in range(n_tables):
            tw = table_weights[t]
            if tw == 0:
                continue
            w = np.float64(seed_weights[s]) * np.float64(tw)
            lo, hi = _row(indptr, t, item, n_nb)
            # Index row slices from 0 for the same reason.
            row_ids = indices[lo:hi]
            row_scores = scores[lo:hi]
            for j in range(hi - lo):
                c = row_ids[j]
                if c < 0 or c >= n_items:
                    continue
                v = w * np.float64(row_scores[j])
                word = np.uint64(c)
                h = ((c * _GOLDEN) & 0xFFFFFFFF) >> shift
                while True:
                    cur = table[h]
                    if cur == _FREE:
                        table[h] = (count << np.uint64(32)) | word
                        ids[count] = c
                        acc[count] = v
                        count += np.uint64(1)
                        break
                    if cur & _LOW == word:
                        acc[cur >> np.uint64(32)] += v
                        break
                    h = (h + 1) & mask
    return ids[:count], acc[:count]


@numba.njit(cache=True, nogil=True)
def blend(indptr, indices, scores, seeds, seed_weights, table_weights):
    """Sum seed_weights[s] * table_weights[t] * score over every neighbour of every seed.

    ``seed_weights`` is parallel to ``seeds`` (a duplicated seed counts once per
    occurrence); seeds outside [0, n) and zero weights contribute nothing. Returns unique
    candidate ids (int32, unordered; may include the seeds) and float32 scores.
    """
    ids, acc = accumulate(indptr, indices, scores, seeds, seed_weights, table_weights)
    return ids, acc.astype(np.float32)
