"""The items of a response as JSON bytes, spliced in one compiled call.

Each item is ``{<render fragment>,"score":<score>,"reason":<reason>}``: the fragment was
encoded at build time (or by the catalog overlay), and a reason is a pre-encoded text with
its number (a count, a price difference) written in between. Numbers are written by one
rule on both sides, here and in ``edge.serve.codec`` for the Python path, so the two encoders
give the same bytes: ``fixed`` rounds half away from zero at ``decimals`` places.
``page_items`` plans and splices a page in one call: what every computed request runs.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from edge.scoring.bundles import Request
from edge.scoring.filters import lower_bound
from edge.scoring.memory import borrowed, prefetch
from edge.scoring.merchandise import Rules
from edge.scoring.page import plan

# Text kinds (``edge.slots.texts``): how a reason's number is written between its two parts.
FIXED, COUNTED, STEP_UP, SAVES = range(4)
SCORE_DECIMALS = 5
_LARGEST = 9e12  # larger magnitudes (never a score) are written as null, like non-finite ones


def fixed(value: float, decimals: int, trim: bool = False) -> str:
    """``value`` with ``decimals`` places, rounded half away from zero; ``trim`` drops
    trailing zeros but keeps one decimal. Non-finite or huge values are ``null``."""
    if not math.isfinite(value) or abs(value) >= _LARGEST:
        return "null"
    scale = 10 ** decimals
    q = math.floor(abs(value) * scale + 0.5)
    sign = "-" if value < 0 and q else ""
    if not decimals:
        return f"{sign}{q}"
    whole, frac = divmod(q, scale)
    digits = f"{frac:0{decimals}d}"
    if trim:
        digits = digits.rstrip("0") or "0"
    return f"{sign}{whole}.{digits}"


def times(count: int) -> str:
    return "once" if count == 1 else f"{count} times"


# Helpers write into a buffer sized up front and return the new position: inlined, so no
# array travels through a call (each would cost reference-count updates per item).
@numba.njit(cache=True, nogil=True, inline="always")
def _copy(buf, pos, src, lo, hi):
    # A slice assignment, not a byte loop: numba copies it as a block, about 3x faster for a fragment.
    buf[pos:pos + hi - lo] = src[lo:hi]
    return pos + hi - lo


@numba.njit(cache=True, nogil=True, inline="always")
def _digits(buf, pos, q):
    """The decimal digits of 0 <= q < 10**19."""
    n = 1
    while n < 19 and q >= 10 ** n:
        n += 1
    for i in range(n - 1, -1, -1):
        buf[pos + i] = 48 + q % 10
        q //= 10
    return pos + n


@numba.njit(cache=True, nogil=True, inline="always")
def _fixed(buf, pos, value, decimals, trim):
    """``fixed`` above, byte for byte; at most 32 bytes."""
    if value != value or abs(value) >= _LARGEST:
        buf[pos], buf[pos + 1], buf[pos + 2], buf[pos + 3] = 110, 117, 108, 108  # null
        return pos + 4
    scale = 10 ** decimals
    q = np.int64(np.floor(abs(value) * scale + 0.5))
    if value < 0 and q:
        buf[pos] = 45  # -
        pos += 1
    pos = _digits(buf, pos, q // scale)
    if decimals == 0:
        return pos
    buf[pos] = 46  # .
    pos += 1
    frac = q % scale
    n = decimals
    if trim:
        while n > 1 and frac % 10 == 0:
            frac //= 10
            n -= 1
    for i in range(n - 1, -1, -1):
        buf[pos + i] = 48 + frac % 10
        frac //= 10
    return pos + n


# The fixed pieces of an item, passed in as one array (a global array would be rebuilt on
# every call): ',"score":' [0, 9), ',"reason":' [9, 19), 'once' [19, 23), ' times' [23, 29).
PIECES = np.frombuffer(b',"score":,"reason":once times', np.uint8).copy()
PIECES.flags.writeable = False


@numba.njit(cache=True, nogil=True)
def _find(sorted_ids, x):
    i = lower_bound(sorted_ids, x)
    return i if i < sorted_ids.shape[0] and sorted_ids[i] == x else -1


@numba.njit(cache=True, nogil=True)
def splice_items(ids, scores, text_ids, numbers, ends, render_offsets, render_blob, text_kinds, text_offsets,
                 text_blob, overlay_ids, overlay_offsets, overlay_blob, pieces):
    """Every slot's items, comma-separated, one slot after the other: (bytes as uint8,
    byte end of each slot). Items in ``overlay_ids`` (sorted) take their fragment from the
    overlay. Text t is text_blob[offsets[2t]:offsets[2t+1]], its number, then
    text_blob[offsets[2t+1]:offsets[2t+2]]. ``pieces`` is ``PIECES``."""
    n = ids.shape[0]
    n_items = render_offsets.shape[0] - 1
    # Size the buffer once: fragments and texts exactly, each number at most 32 bytes.
    size = 0
    for j in range(n):
        item = ids[j]
        o = _find(overlay_ids, item) if overlay_ids.shape[0] else -1
        if o >= 0:
            size += overlay_offsets[o + 1] - overlay_offsets[o]
        elif 0 <= item < n_items:
            size += render_offsets[item + 1] - render_offsets[item]
            prefetch(render_blob, render_offsets[item], 0)  # the fragments arrive together, not one miss at a time
        t = text_ids[j]
        size += text_offsets[2 * t + 2] - text_offsets[2 * t] + 96
    buf = np.empty(size, np.uint8)
    slot_bytes = np.zeros(ends.shape[0], np.int64)
    pos = 0
    start = 0
    for s in range(ends.shape[0]):
        for j in range(start, ends[s]):
            if j > start:
                buf[pos] = 44  # ,
                pos += 1
            buf[pos] = 123  # {
            pos += 1
            item = ids[j]
            o = _find(overlay_ids, item) if overlay_ids.shape[0] else -1
            if o >= 0:
                pos = _copy(buf, pos, overlay_blob, overlay_offsets[o], overlay_offsets[o + 1])
            elif 0 <= item < n_items:
                pos = _copy(buf, pos, render_blob, render_offsets[item], render_offsets[item + 1])
            pos = _copy(buf, pos, pieces, 0, 9)
            pos = _fixed(buf, pos, np.float64(scores[j]), 5, True)
            pos = _copy(buf, pos, pieces, 9, 19)
            t = text_ids[j]
            pos = _copy(buf, pos, text_blob, text_offsets[2 * t], text_offsets[2 * t + 1])
            kind = text_kinds[t]
            if kind == COUNTED:
                count = np.int64(numbers[j])
                if count == 1:
                    pos = _copy(buf, pos, pieces, 19, 23)
                else:
                    if count < 0:
                        buf[pos] = 45
                        pos += 1
                        count = -count
                    pos = _digits(buf, pos, count)
                    pos = _copy(buf, pos, pieces, 23, 29)
            elif kind == STEP_UP:
                pos = _fixed(buf, pos, numbers[j], 0, False)
            elif kind == SAVES:
                pos = _fixed(buf, pos, numbers[j], 2, False)
            pos = _copy(buf, pos, text_blob, text_offsets[2 * t + 1], text_offsets[2 * t + 2])
            buf[pos] = 125  # }
            pos += 1
        slot_bytes[s] = pos
        start = ends[s]
    return buf[:pos], slot_bytes


@numba.njit(cache=True, nogil=True)
def page_items(bundles, request, rules):
    """``plan`` and ``splice_items`` over its picks in one call, for ``Bundles``, the request and the
    page's merchandising rules each as a plain tuple in ``Request`` and ``Rules`` field order
    (edge/scoring/bundles.py: numba types a plain tuple in C, a NamedTuple in Python, about a
    microsecond more): (items as uint8, int64 [byte end of each slot, then item end of each slot,
    then the favourite category]). Two arrays, not four values: each array handed back to Python
    costs about half a microsecond."""
    catalog, program = bundles.catalog, bundles.program
    ids, scores, text_ids, numbers, ends, fav = plan(catalog, program, bundles.tunables, Request(*request),
                                                     Rules(*rules))
    # The bundles' arrays are borrowed (edge/scoring/memory.py): Python holds them for the whole call,
    # and every fragment and text sliced out of them would otherwise count a reference up and down.
    items, slot_bytes = splice_items(ids, scores, text_ids, numbers, ends, borrowed(catalog.render_offsets),
                                     borrowed(catalog.render_blob), borrowed(program.text_kinds),
                                     borrowed(program.text_offsets), borrowed(program.text_blob),
                                     borrowed(catalog.overlay_ids), borrowed(catalog.overlay_offsets),
                                     borrowed(catalog.overlay_blob), borrowed(program.pieces))
    n = ends.shape[0]
    meta = np.empty(2 * n + 1, np.int64)
    meta[:n] = slot_bytes
    meta[n:2 * n] = ends
    meta[2 * n] = fav
    return items, meta
