"""Category diversity: cap how many results one category may take.

Category ids can be anything up to 2**31, so per-category counts live in a small
open-addressing hash table sized from k (at most k categories are ever kept) rather
than an array indexed by category. ``category_cap`` is the one greedy loop; ``diversify``,
``rank`` and ``from_ranked`` all run it over batches, carrying the table between
batches. (A per-item helper taking the table's arrays would not be inlined by numba
and costs ~20 ns a call.)
"""

from __future__ import annotations

import numba
import numpy as np

from edge.scoring.items import category_of, item_count

_GOLDEN = 2654435761  # Knuth's multiplicative hash
_EMPTY = -1


@numba.njit(cache=True, nogil=True)
def category_counter(n_keep):
    """Empty (slot_category, slot_count, hash_shift) table for up to n_keep categories."""
    bits = 1
    while (1 << bits) < 2 * n_keep:
        bits += 1
    return np.full(1 << bits, _EMPTY, np.int32), np.zeros(1 << bits, np.int32), 32 - bits


@numba.njit(cache=True, nogil=True)
def category_cap(items, category, limit, slot_cat, slot_count, shift, room, keep):
    """Walk items (best first) and write the positions of those kept to keep[:m], at most
    ``room``: an item is kept while its category has fewer than ``limit`` kept items.
    limit <= 0 keeps everything; unknown categories (< 0, or ids outside the catalog)
    are never limited. Returns m; the counts in the table carry over to the next call.
    ``category``: the category array, or anything ``edge.scoring.items`` reads a category from."""
    n_cat = item_count(category)
    mask = slot_cat.shape[0] - 1
    m = 0
    for i in range(items.shape[0]):
        if m >= room:
            break
        item = items[i]
        if limit > 0 and 0 <= item < n_cat:
            c = category_of(category, item)
            if c >= 0:
                h = ((c * _GOLDEN) & 0xFFFFFFFF) >> shift
                full = False
                while True:
                    cur = slot_cat[h]
                    if cur == c:
                        full = slot_count[h] >= limit
                        if not full:
                            slot_count[h] += 1
                        break
                    if cur == _EMPTY:
                        slot_cat[h] = c
                        slot_count[h] = 1
                        break
                    h = (h + 1) & mask
                if full:
                    continue
        keep[m] = i
        m += 1
    return m


@numba.njit(cache=True, nogil=True)
def diversify(ids, scores, category, max_per_category, k):
    """Greedy walk over ids (already sorted best first) keeping an item while its
    category has fewer than max_per_category kept items; stops at k.
    max_per_category <= 0 means no limit."""
    n = min(ids.shape[0], scores.shape[0])
    n_keep = max(min(k, n), 0)
    slot_cat, slot_count, shift = category_counter(n_keep if max_per_category > 0 else 0)
    keep = np.empty(n_keep, np.int64)
    m = category_cap(ids[:n], category, max_per_category, slot_cat, slot_count, shift, n_keep, keep)
    out_ids = np.empty(m, np.int32)
    out_scores = np.empty(m, np.float32)
    for j in range(m):
        out_ids[j] = ids[keep[j]]
        out_scores[j] = scores[keep[j]]
    return out_ids, out_scores
