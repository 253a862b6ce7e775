"""Top-k by score descending, ties by id ascending.

Each (id, score) pair is packed into one int64 key whose ascending order is exactly the
ranking order: the high 32 bits hold the float32 score mapped to an order-reversing
integer, the low 32 bits the id offset to unsigned. Selecting and sorting plain int64
keys needs no comparator and no index indirection; the score is recovered exactly from
the key (NaN ranks last; -0.0 comes back as 0.0).

Selection works in score bands: a strided sample of the keys gives a cut that, with
high probability, a small multiple of the wanted count of keys do not exceed; one
branch-free pass collects the band (prev, cut] and only the band is selected and
sorted. Comparison-heavy selection over all keys (heaps, quickselect) mispredicts every
few keys; the band pass costs about a cycle per key. Bands are defined by value, so
repeated keys always land in the same band.
"""

from __future__ import annotations

import numba
import numpy as np

_U32 = 4294967295  # 2**32 - 1
_HALF = 2147483648  # 2**31
_SAMPLE = 128
_SAMPLE_MIN = 256  # below this many keys one band takes them all
NO_KEY = -9223372036854775808  # below every key: no key packs to int64 min
_NO_CUT = 9223372036854775807


@numba.njit(cache=True, nogil=True)
def _key(item, score):
    """The int64 ranking key of one (id, score) pair; the score is rounded to float32."""
    s = np.float32(score)
    b = np.int64(s.view(np.uint32))
    if s != s:
        o = np.int64(0)  # NaN below -inf
    elif s == 0:
        o = np.int64(_HALF)  # -0.0 ties with 0.0
    elif b >= _HALF:
        o = _U32 - b  # negative floats: larger magnitude, smaller o
    else:
        o = b + _HALF
    # o ascends with the score; flip it so the best score has the smallest key.
    return (_U32 - o - _HALF) * 4294967296 + (np.int64(item) + _HALF)


@numba.njit(cache=True, nogil=True)
def key_item(key):
    return np.int32((key & _U32) - _HALF)


@numba.njit(cache=True, nogil=True)
def _key_score(key):
    o = _U32 - ((key >> 32) + _HALF)
    return np.uint32(o - _HALF if o >= _HALF else _U32 - o).view(np.float32)


@numba.njit(cache=True, nogil=True)
def decode_key(keys):
    ids = np.empty(keys.shape[0], np.int32)
    scores = np.empty(keys.shape[0], np.float32)
    for i in range(keys.shape[0]):
        ids[i] = key_item(keys[i])
        scores[i] = _key_score(keys[i])
    return ids, scores


@numba.njit(cache=True, nogil=True)
def _nth(a, lo, hi, kth):
    """Reorder a[lo:hi] in place so a[kth] holds its sorted value, smaller keys before it
    and larger after (Wirth's selection, median-of-three pivot): O(hi - lo) expected."""
    left = lo
    right = hi - 1
    while left < right:
        mid = (left + right) >> 1
        x, y, z = a[left], a[mid], a[right]
        pivot = max(min(x, y), min(max(x, y), z))
        i = left
        j = right
        while i <= j:
            while a[i] < pivot:
                i += 1
            while pivot < a[j]:
                j -= 1
            if i <= j:
                a[i], a[j] = a[j], a[i]
                i += 1
                j -= 1
        if j < kth:
            left = i
        if kth < i:
            right = j


@numba.njit(cache=True, nogil=True)
def encode_key(ids, scores, n):
    keys = np.empty(n, np.int64)
    for i in range(n):
        keys[i] = _key(ids[i], scores[i])
    return keys


@numba.njit(cache=True, nogil=True)
def band_cut(keys, prev, remaining, target):
    """A cut such that about ``target`` (rarely fewer) of the ``remaining`` keys above
    ``prev`` lie in (prev, cut]; _NO_CUT when the band should take them all.

    The cut is the sample key ~5 ranks past the target's expected sample rank, so a
    band shorter than the target has a probability well under 1e-3.
    """
    n = keys.shape[0]
    if remaining < _SAMPLE_MIN or 4 * target >= remaining:
        return _NO_CUT
    stride = max(n // _SAMPLE, 1)
    sample = np.empty(_SAMPLE, np.int64)
    s = 0
    for j in range(0, n, stride):
        v = keys[j]
        if v > prev and s < _SAMPLE:
            sample[s] = v
            s += 1
    r = (target * s + remaining - 1) // remaining + 5
    if r >= s:
        return _NO_CUT
    _nth(sample, 0, s, r)
    return sample[r]


@numba.njit(cache=True, nogil=True)
def collect_top(keys, prev, cut, out, at):
    """Append the keys in (prev, cut] to out[at:] without a branch; returns the new end.
    Every key is stored before the cursor moves, so out needs one spare slot past the
    band whenever keys outside it may follow the band's last key."""
    for i in range(keys.shape[0]):
        v = keys[i]
        out[at] = v
        at += 1 if (v > prev) & (v <= cut) else 0
    return at


@numba.njit(cache=True, nogil=True)
def _sort(a, lo, hi):
    """Sort a[lo:hi] in place; insertion sort for the short runs a slot needs, where
    numba's general sort costs several times more."""
    if hi - lo > 32:
        a[lo:hi].sort()
        return
    for i in range(lo + 1, hi):
        v = a[i]
        j = i - 1
        while j >= lo and a[j] > v:
            a[j + 1] = a[j]
            j -= 1
        a[j + 1] = v


@numba.njit(cache=True, nogil=True)
def partial_sort(keys, lo, hi, m):
    """Make keys[lo:lo+m] the m smallest keys of keys[lo:hi], sorted ascending; the rest
    of keys[lo:hi] is left, permuted, after them."""
    m = min(max(m, 0), hi - lo)
    if 0 < m < hi - lo:
        _nth(keys, lo, hi, lo + m - 1)
    _sort(keys, lo, lo + m)


@numba.njit(cache=True, nogil=True)
def top_k(ids, scores, k):
    """The k best (ids int32, scores float32), score descending then id ascending; all of
    them, sorted, when k >= len(ids)."""
    n = min(ids.shape[0], scores.shape[0])
    m = max(min(k, n), 0)
    keys = encode_key(ids, scores, n)
    band = np.empty(n + 1, np.int64)  # + 1: see collect_top
    c = collect_top(keys, NO_KEY, band_cut(keys, NO_KEY, n, m), band, 0)
    if c < m:  # unlucky sample: fall back to all keys
        band = keys
        c = n
    partial_sort(band, 0, c, m)
    return decode_key(band[:m])
