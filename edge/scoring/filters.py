"""Per-item business rules: stock, exclusions, price band and category allow/deny lists.

``filter_ids`` is the one place the rules live; ``eligible`` exposes it as a mask and the
fused kernels in ``rank`` call it on their candidates, so a request never materialises a
mask over the catalog.

Prices are compared in float32, the precision they are stored in, so a band bound typed
as 9.99 matches an item stored as float32(9.99).
"""

from __future__ import annotations

import numba
import numpy as np

from edge.scoring.items import category_of, in_stock, item_count, price_of, touch

_AHEAD = 16  # candidates: a miss takes as long as checking some 20 candidates


@numba.njit(cache=True, nogil=True, inline="always")
def lower_bound(a, x):
    """The first position in sorted ``a`` whose value is not below x (binary search)."""
    lo = 0
    hi = a.shape[0]
    while lo < hi:
        mid = (lo + hi) >> 1
        if a[mid] < x:
            lo = mid + 1
        else:
            hi = mid
    return lo


@numba.njit(cache=True, nogil=True)
def in_sorted(a, x):
    i = lower_bound(a, x)
    return i < a.shape[0] and a[i] == x


@numba.njit(cache=True, nogil=True)
def filter_ids(ids, start, max_out, attrs, exclude, price_lo, price_hi, allow, deny, out_pos):
    """Write the positions of eligible ids[start:] into out_pos, stopping once max_out are
    found. Returns (count, position to resume from). allow/deny must be sorted. ``attrs``: the
    items' stock, price and category, as records or as a tuple of the arrays (``edge.scoring.items``).

    The rules are applied in this one loop rather than a per-item helper: numba does not
    inline a helper taking this many arrays, and the call then costs ~60 ns per item.
    """
    n_items = item_count(attrs)
    # The band is active when either bound is finite; a NaN bound leaves that side open.
    band = price_lo > -np.inf or price_hi < np.inf
    lo = np.float32(price_lo)
    hi = np.float32(price_hi)
    has_allow = allow.shape[0] > 0
    has_deny = deny.shape[0] > 0
    has_exclude = exclude.shape[0] > 0
    m = 0
    i = start
    n = ids.shape[0]
    for j in range(start, min(start + _AHEAD, n)):
        touch(attrs, ids[j])
    while i < n and m < max_out:
        if i + _AHEAD < n:
            touch(attrs, ids[i + _AHEAD])  # the record a few candidates on, while this one is checked
        item = ids[i]
        i += 1
        if item < 0 or item >= n_items or not in_stock(attrs, item):
            continue
        if band:
            p = price_of(attrs, item)
            if p != p or p < lo or p > hi:
                continue
        if has_allow and not in_sorted(allow, category_of(attrs, item)):
            continue
        if has_deny and in_sorted(deny, category_of(attrs, item)):
            continue
        if has_exclude and in_sorted(exclude, item):
            continue
        out_pos[m] = i - 1
        m += 1
    return m, i


@numba.njit(cache=True, nogil=True)
def sorted_copy(ids):
    """A sorted int32 copy. Request lists (history, category lists) are short, and for
    those an insertion sort is several times cheaper than numba's general sort."""
    n = ids.shape[0]
    s = np.empty(n, np.int32)
    for i in range(n):
        s[i] = ids[i]
    if n > 32:
        s.sort()
        return s
    for i in range(1, n):
        v = s[i]
        j = i - 1
        while j >= 0 and s[j] > v:
            s[j + 1] = s[j]
            j -= 1
        s[j + 1] = v
    return s


@numba.njit(cache=True, nogil=True)
def sorted_unique(ids):
    """Sorted unique int32 copy of ids, e.g. history + cart as an ``exclude`` set."""
    s = sorted_copy(ids)
    m = 0
    for i in range(s.shape[0]):
        if i == 0 or s[i] != s[m - 1]:
            s[m] = s[i]
            m += 1
    return s[:m]


@numba.njit(cache=True, nogil=True)
def eligible(ids, in_stock, price, category, exclude, price_lo, price_hi, cat_allow, cat_deny):
    """Boolean mask over ids.

    ``exclude`` must be sorted and unique (binary search). With a finite price_lo or
    price_hi an item needs a known price with lo <= price <= hi. ``cat_allow`` empty
    allows every category; ``cat_deny`` rejects the categories it lists. The category
    lists are tiny and unsorted, so they are sorted here once per call.
    """
    pos = np.empty(ids.shape[0], np.int64)
    m, _ = filter_ids(ids, 0, ids.shape[0], (in_stock, price, category), exclude, price_lo, price_hi,
                      sorted_copy(cat_allow), sorted_copy(cat_deny), pos)
    out = np.zeros(ids.shape[0], np.bool_)
    for j in range(m):
        out[pos[j]] = True
    return out


@numba.njit(cache=True, nogil=True)
def union_sorted(exclude, ids):
    """``exclude`` (sorted, unique) plus ``ids`` (any order), sorted and unique: how a slot
    hides what earlier slots showed without a numpy sort per step."""
    return merge_sorted(exclude, sorted_unique(ids))


@numba.njit(cache=True, nogil=True)
def merge_sorted(a, b):
    """Two sorted int32 arrays merged into one sorted unique int32 array, in linear time."""
    out = np.empty(a.shape[0] + b.shape[0], dtype=np.int32)
    i = j = m = 0
    while i < a.shape[0] or j < b.shape[0]:
        if j >= b.shape[0] or (i < a.shape[0] and a[i] < b[j]):
            v = a[i]
            i += 1
        elif i >= a.shape[0] or b[j] < a[i]:
            v = b[j]
            j += 1
        else:
            v = a[i]
            i += 1
            j += 1
        if m == 0 or out[m - 1] != v:
            out[m] = v
            m += 1
    return out[:m]
