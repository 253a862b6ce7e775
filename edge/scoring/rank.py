"""The fused ranking kernels behind every recommendation slot.

``rank`` turns blended candidates into a slot: filter -> top-k -> diversify. Filtering
costs random reads into catalog-sized arrays while ranking only reads the candidates,
so ``rank`` ranks first and filters lazily: it takes the candidates in score bands,
best first (see ``topk``), filters only the band at hand and moves to the next band
only when the slot is still short. ``from_ranked`` does the same for a precomputed
ranking (bestsellers, trending) whose order is already final, touching only the head of
the list.
"""

from __future__ import annotations

import numba
import numpy as np

from edge.scoring.diversify import category_cap, category_counter
from edge.scoring.filters import filter_ids, sorted_copy
from edge.scoring.topk import NO_KEY, band_cut, collect_top, decode_key, encode_key, key_item, partial_sort


@numba.njit(cache=True, nogil=True)
def _keep_eligible(keys, lo, hi, attrs, exclude, price_lo, price_hi, allow, deny, items, pos):
    """Compact keys[lo:hi] in place to its eligible keys, order kept; returns the new hi. ``items`` and ``pos``:
    scratch of at least hi - lo (the caller's, so that this helper allocates nothing)."""
    for i in range(hi - lo):
        items[i] = key_item(keys[lo + i])
    m, _ = filter_ids(items[:hi - lo], 0, hi - lo, attrs, exclude, price_lo, price_hi, allow, deny, pos)
    for j in range(m):
        keys[lo + j] = keys[lo + pos[j]]  # pos[j] >= j: a forward in-place compaction
    return lo + m


@numba.njit(cache=True, nogil=True)
def _walk(keys, lo, hi, category, limit, slot_cat, slot_count, shift, out, got, items, keep):
    """Append sorted keys[lo:hi] to out while their category is under the limit
    (limit <= 0: no limit) and out has room; returns the new fill. ``items``, ``keep``: scratch as above."""
    for i in range(hi - lo):
        items[i] = key_item(keys[lo + i])
    m = category_cap(items[:hi - lo], category, limit, slot_cat, slot_count, shift, out.shape[0] - got, keep)
    for j in range(m):
        out[got + j] = keys[lo + keep[j]]
    return got + m


@numba.njit(cache=True, nogil=True)
def rank(ids, scores, in_stock, price, category, exclude, price_lo, price_hi, cat_allow, cat_deny,
         max_per_category, k):
    """Eligible candidates (see ``filters.eligible``; ``exclude`` sorted unique), best
    score first with ties by id, at most max_per_category per known category (<= 0: no
    limit), at most k. ``ids`` should be unique, as ``blend`` returns them."""
    return rank_sorted(ids, scores, (in_stock, price, category), exclude, price_lo, price_hi, sorted_copy(cat_allow),
                       sorted_copy(cat_deny), max_per_category, k)


@numba.njit(cache=True, nogil=True)
def rank_sorted(ids, scores, attrs, exclude, price_lo, price_hi, allow, deny, max_per_category, k):
    """``rank`` with the category lists already sorted (the page kernel sorts them once per request) and the
    items' attributes as ``edge.scoring.items`` reads them (the page kernel's records)."""
    n = min(ids.shape[0], scores.shape[0])
    n_keep = max(min(k, n), 0)
    out = np.empty(n_keep, np.int64)
    if n_keep == 0:
        return decode_key(out)
    keys = encode_key(ids, scores, n)
    scratch_items = np.empty(n, np.int32)
    scratch_pos = np.empty(n, np.int64)
    slot_cat, slot_count, shift = category_counter(n_keep if max_per_category > 0 else 0)

    # Candidates are examined in score bands, best first. band[lo:hi] holds the eligible,
    # not yet walked keys of the bands examined so far; every key above ``prev`` is still
    # unexamined and ranks after all of them.
    band = np.empty(n + 1, np.int64)  # + 1: see collect_top
    lo = 0
    hi = 0
    prev = NO_KEY
    examined = 0
    target = 2 * n_keep + 16
    got = 0
    while got < n_keep:
        if lo < hi:
            # Walk the eligible keys in sorted chunks: diversity may skip some.
            step = min(hi, lo + max(2 * (n_keep - got), 16))
            partial_sort(band, lo, hi, step - lo)
            got = _walk(band, lo, step, attrs, max_per_category, slot_cat, slot_count, shift, out, got,
                        scratch_items, scratch_pos)
            lo = step
            continue
        if examined == n:
            break
        cut = band_cut(keys, prev, n - examined, target)
        end = collect_top(keys, prev, cut, band, lo)
        examined += end - lo
        prev = cut
        hi = _keep_eligible(band, lo, end, attrs, exclude, price_lo, price_hi, allow, deny, scratch_items,
                            scratch_pos)
        # Size the next band from the yield so far (filters and diversity), at least
        # doubling, so a strict filter costs a few passes rather than many.
        taken = got + (hi - lo)
        need = (n_keep - got) * examined // max(taken, 1)
        target = max(2 * target, need + need // 2)
    return decode_key(out[:got])


@numba.njit(cache=True, nogil=True)
def from_ranked(ranked_items, ranked_scores, in_stock, price, category, exclude, price_lo, price_hi,
                cat_allow, cat_deny, max_per_category, k):
    """The first k eligible items of a pre-ranked list, in list order, with the same
    rules as ``rank``. Stops as soon as k are found; the list should hold each id once."""
    return from_ranked_sorted(ranked_items, ranked_scores, (in_stock, price, category), exclude, price_lo, price_hi,
                              sorted_copy(cat_allow), sorted_copy(cat_deny), max_per_category, k)


@numba.njit(cache=True, nogil=True)
def from_ranked_sorted(ranked_items, ranked_scores, attrs, exclude, price_lo, price_hi, allow, deny, max_per_category,
                       k):
    """``from_ranked`` with the category lists already sorted and the attributes as ``rank_sorted`` takes them."""
    n = min(ranked_items.shape[0], ranked_scores.shape[0])
    items = ranked_items[:n]
    n_keep = max(min(k, n), 0)
    out_ids = np.empty(n_keep, np.int32)
    out_scores = np.empty(n_keep, np.float32)
    pos = np.empty(n_keep, np.int64)
    found = np.empty(n_keep, np.int32)
    keep = np.empty(n_keep, np.int64)
    slot_cat, slot_count, shift = category_counter(n_keep if max_per_category > 0 else 0)
    got = 0
    i = 0
    # Each round asks for exactly as many eligible items as slots are left, so without a
    # diversity cap one round scans just far enough into the list.
    while got < n_keep and i < n:
        m, i = filter_ids(items, i, n_keep - got, attrs, exclude, price_lo, price_hi, allow, deny, pos)
        for j in range(m):
            found[j] = items[pos[j]]
        kept = category_cap(found[:m], attrs, max_per_category, slot_cat, slot_count, shift, n_keep - got, keep)
        for j in range(kept):
            out_ids[got + j] = found[keep[j]]
            out_scores[got + j] = ranked_scores[pos[keep[j]]]
        got += kept
    return out_ids[:got], out_scores[:got]
