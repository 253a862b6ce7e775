"""Vectorised conversion of raw input columns into the normalised types.

Every converter takes a pyarrow array of whatever type the file gave us (strings from CSV,
numbers/strings/booleans from JSON, anything from Parquet) and returns a typed array with
nulls kept, or raises ``BadValue`` for the first row it cannot convert. The readers turn
that into an ``InputError`` with the file's line number.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TypeAlias

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from edge.build.frames import EVENT_TYPE_NAMES
from edge.urls import UNSAFE_URL, WEB_URL

# Numbers above this are Unix milliseconds (1e11 seconds is the year 5138).
MS_THRESHOLD = 1e11

_NUMBER_RE = r"^[+-]?(\d+(\.\d*)?|\.\d+)([E][+-]?\d+)?$"
# A zone designator right after a time of day; a bare date such as 2011-12-09 ends in
# "-09", which must not be taken for an offset.
_ZONED_RE = r"\d:\d\d(:\d\d([.,]\d+)?)?(Z|[+-]\d\d(:?\d\d)?)$"
_FRACTION_RE = r"(\d:\d\d:\d\d)[.,]\d+"

_TRUE = ("true", "1", "yes", "y", "t")
_FALSE = ("false", "0", "no", "n", "f")
_BOOL_WORDS = pa.array(_TRUE + _FALSE)
_TYPE_NAMES = pa.array([name for name, _ in sorted(EVENT_TYPE_NAMES.items(), key=lambda kv: kv[1])])

Array: TypeAlias = pa.Array | pa.ChunkedArray


class BadValue(Exception):
    """A value that cannot be converted; ``row`` is the 0-based row in the input."""

    def __init__(self, row: int, message: str) -> None:
        super().__init__(message)
        self.row = row
        self.message = message


def flat(arr: Array) -> pa.Array:
    """One contiguous array; strings too big for 32-bit offsets become large_string."""
    if pa.types.is_dictionary(arr.type):
        arr = arr.cast(arr.type.value_type)
    if not isinstance(arr, pa.ChunkedArray):
        return arr
    if pa.types.is_string(arr.type) and arr.nbytes >= 2**31 - 1:
        arr = arr.cast(pa.large_string())
    return arr.combine_chunks()


def _is_text(t: pa.DataType) -> bool:
    return pa.types.is_string(t) or pa.types.is_large_string(t)


def _nested(arr: pa.Array) -> None:
    if pa.types.is_nested(arr.type):
        valid = np.flatnonzero(arr.is_valid().to_numpy(zero_copy_only=False))
        if valid.size:
            raise BadValue(int(valid[0]), "expected a single value, not a list or object")


def _first(mask: np.ndarray) -> int | None:
    hits = np.flatnonzero(mask)
    return int(hits[0]) if hits.size else None


def _shown(arr: pa.Array, row: int) -> str:
    value = arr[row].as_py()
    if isinstance(value, str) and len(value) > 60:
        return repr(value[:57] + "...")
    return repr(value)


def first_failure(arr: pa.Array, convert: Callable[[pa.Array], object]) -> int:
    """Index of the first element on which ``convert`` fails (it must fail on ``arr``).

    Bisects: a half is re-converted only until the failing element is isolated, so the
    cost stays linear and the happy path pays nothing.
    """
    lo, hi = 0, len(arr)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        try:
            convert(arr.slice(lo, mid - lo))
        except (pa.ArrowInvalid, ValueError):
            hi = mid
        else:
            lo = mid
    return lo


def text(arr: Array) -> pa.Array:
    """Strings with surrounding whitespace removed; empty strings become null."""
    arr = flat(arr)
    _nested(arr)
    if pa.types.is_null(arr.type):
        return pa.nulls(len(arr), pa.string())
    if pa.types.is_boolean(arr.type):
        arr = pc.if_else(arr, "true", "false")
    if pa.types.is_floating(arr.type):
        # 123.0 read from JSON or Parquet is the id "123", not "123.0".
        whole = pc.equal(pc.floor(arr), arr)
        arr = pc.if_else(whole, pc.cast(pc.cast(arr, pa.int64(), safe=False), pa.string()),
                         pc.cast(arr, pa.string()))
    if not _is_text(arr.type):
        arr = pc.cast(arr, pa.string())
    # ASCII trimming is safe on UTF-8 and several times faster than utf8_trim_whitespace.
    arr = pc.ascii_trim_whitespace(arr)
    return pc.if_else(pc.equal(arr, ""), pa.scalar(None, arr.type), arr)


def _seconds_from_numbers(values: pa.Array) -> pa.Array:
    v = pc.cast(values, pa.float64())
    big = pc.greater(pc.abs(v), MS_THRESHOLD)
    secs = pc.if_else(big, pc.divide(v, 1000.0), v)
    return pc.cast(pc.floor(secs), pa.int64())


def _zoned(a: pa.Array) -> pa.Array:
    return pc.cast(a, pa.timestamp("s", "UTC")).cast(pa.int64())


def _naive(a: pa.Array) -> pa.Array:
    return pc.cast(a, pa.timestamp("s")).cast(pa.int64())


def _numeric(a: pa.Array) -> pa.Array:
    return _seconds_from_numbers(pc.cast(a, pa.float64()))


def _seconds_from_strings(s: pa.Array) -> pa.Array:
    # Fast path: a column is nearly always in one form, which a single cast handles.
    valid = s.drop_null()
    if len(valid):
        first = valid[0].as_py().upper()
        guess = (_numeric if re.search(_NUMBER_RE, first) else
                 _zoned if re.search(_ZONED_RE, first) else _naive)
        try:
            return guess(s)
        except (pa.ArrowInvalid, ValueError):
            pass
    return _seconds_mixed(s)


def _seconds_mixed(s: pa.Array) -> pa.Array:
    s = pc.utf8_upper(s)
    # "... 12:50:00 UTC" (as BigQuery exports it) and "... 12:50:00 +01:00" lose the space.
    s = pc.replace_substring_regex(s, r"(\d) *UTC$", r"\1Z")
    s = pc.replace_substring_regex(s, r"(\d:\d\d) +(Z|[+-]\d\d(:?\d\d)?)$", r"\1\2")
    numeric = pc.match_substring_regex(s, _NUMBER_RE)
    zoned = pc.match_substring_regex(s, _ZONED_RE)
    s = pc.replace_substring_regex(s, _FRACTION_RE, r"\1")
    out = np.zeros(len(s), dtype=np.int64)
    for mask, convert in (
        (numeric, _numeric),
        (pc.and_not(zoned, numeric), _zoned),
        (pc.invert(pc.or_(zoned, numeric)), _naive),
    ):
        m = pc.fill_null(mask, False).to_numpy(zero_copy_only=False)
        if m.any():
            out[m] = pc.fill_null(convert(s.filter(pa.array(m))), 0).to_numpy(zero_copy_only=False)
    return pa.array(out, mask=~s.is_valid().to_numpy(zero_copy_only=False))


def timestamp(arr: Array) -> pa.Array:
    """Unix seconds (int64, floor) from ISO-8601 text (a zone-less value is UTC; a space may
    replace the T), Unix seconds or milliseconds as numbers, or Arrow timestamps/dates."""
    arr = flat(arr)
    _nested(arr)
    t = arr.type
    if pa.types.is_null(t):
        return pa.nulls(len(arr), pa.int64())
    if pa.types.is_timestamp(t) or pa.types.is_date(t):
        ts = arr if pa.types.is_timestamp(t) else pc.cast(arr, pa.timestamp("s"))
        ticks = {"s": 1, "ms": 1000, "us": 1_000_000, "ns": 1_000_000_000}[ts.type.unit]
        raw = pc.cast(ts, pa.timestamp(ts.type.unit)).cast(pa.int64())
        secs = np.floor_divide(pc.fill_null(raw, 0).to_numpy(zero_copy_only=False), ticks)
        return pa.array(secs, mask=~raw.is_valid().to_numpy(zero_copy_only=False))
    if pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_decimal(t):
        num = pc.cast(arr, pa.float64())
        bad = _first(~np.isfinite(pc.fill_null(num, 0.0).to_numpy(zero_copy_only=False)))
        if bad is not None:
            raise BadValue(bad, f"cannot parse {_shown(arr, bad)} as a timestamp")
        return _seconds_from_numbers(num)
    s = text(arr)
    try:
        return _seconds_from_strings(s)
    except (pa.ArrowInvalid, ValueError):
        row = first_failure(s, _seconds_from_strings)
        raise BadValue(row, f"cannot parse {_shown(s, row)} as a timestamp") from None


def number(arr: Array, *, minimum: float | None = None, maximum: float | None = None,
           integer: bool = False) -> pa.Array:
    """Finite float64 (nulls kept) within [minimum, maximum]; ``integer`` demands whole numbers."""
    arr = flat(arr)
    _nested(arr)
    t = arr.type
    if pa.types.is_null(t):
        return pa.nulls(len(arr), pa.float64())
    if pa.types.is_boolean(t) or pa.types.is_timestamp(t) or pa.types.is_date(t):
        row = _first(arr.is_valid().to_numpy(zero_copy_only=False))
        if row is None:
            return pa.nulls(len(arr), pa.float64())
        raise BadValue(row, f"cannot parse {_shown(arr, row)} as a number")
    src = arr if (pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_decimal(t)) else text(arr)
    try:
        out = pc.cast(src, pa.float64())
    except (pa.ArrowInvalid, ValueError):
        row = first_failure(src, lambda a: pc.cast(a, pa.float64()))
        raise BadValue(row, f"cannot parse {_shown(src, row)} as a number") from None
    v = pc.fill_null(out, 0.0).to_numpy(zero_copy_only=False)
    bad = ~np.isfinite(v)
    if integer:
        bad |= np.isfinite(v) & (v != np.floor(v))
    row = _first(bad)
    if row is not None:
        kind = "a whole number" if integer else "a number"
        raise BadValue(row, f"cannot parse {_shown(src, row)} as {kind}")
    valid = out.is_valid().to_numpy(zero_copy_only=False)
    if minimum is not None and (row := _first(valid & (v < minimum))) is not None:
        what = "must not be negative" if minimum == 0 else f"must be at least {minimum:g}"
        raise BadValue(row, f"{what}, got {_shown(src, row)}")
    if maximum is not None and (row := _first(valid & (v > maximum))) is not None:
        raise BadValue(row, f"must be at most {maximum:g}, got {_shown(src, row)}")
    return out


def boolean(arr: Array) -> pa.Array:
    """Booleans from true/false, 1/0, yes/no, y/n, t/f (any case); nulls kept."""
    arr = flat(arr)
    if pa.types.is_boolean(arr.type):
        return arr
    s = text(arr)
    idx = pc.index_in(pc.utf8_lower(s), value_set=_BOOL_WORDS.cast(s.type))
    unknown = pc.and_(s.is_valid(), idx.is_null()).to_numpy(zero_copy_only=False)
    row = _first(unknown)
    if row is not None:
        raise BadValue(row, f"cannot parse {_shown(s, row)} as true/false")
    return pc.less(idx, len(_TRUE))


def event_type(arr: Array) -> pa.Array:
    """EventType codes (int8) from their names, case-insensitive; nulls kept."""
    s = text(arr)
    idx = pc.index_in(pc.utf8_lower(s), value_set=_TYPE_NAMES.cast(s.type))
    row = _first(pc.and_(s.is_valid(), idx.is_null()).to_numpy(zero_copy_only=False))
    if row is not None:
        names = ", ".join(_TYPE_NAMES.to_pylist())
        raise BadValue(row, f"unknown event type {_shown(s, row)} (expected one of {names})")
    return pc.cast(idx, pa.int8())


def link(arr: Array) -> pa.Array:
    """``text`` that may be served as a link: an http(s) URL or a path on the shop's site (edge/urls.py)."""
    out = text(arr)
    served = pc.match_substring_regex(out, f"^(?:{WEB_URL})$")
    row = _first(~pc.fill_null(served, True).to_numpy(zero_copy_only=False))
    if row is not None:
        raise BadValue(row, f"{UNSAFE_URL}, not {_shown(out, row)}")
    return out


def require(arr: pa.Array, what: str = "value") -> None:
    row = _first(~arr.is_valid().to_numpy(zero_copy_only=False))
    if row is not None:
        raise BadValue(row, f"missing {what}")


def dedupe_last(table: pa.Table, column: str) -> pa.Table:
    """Keep the last row of each key, in the order of those last rows."""
    if table.num_rows == 0:
        return table
    codes = pc.fill_null(pc.dictionary_encode(flat(table[column])).indices, -1).to_numpy(zero_copy_only=False)
    _, first_in_reversed = np.unique(codes[::-1], return_index=True)
    keep = np.sort(len(codes) - 1 - first_in_reversed)
    return table if keep.size == table.num_rows else table.take(pa.array(keep))
