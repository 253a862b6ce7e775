"""The item attributes a request reads, one 16-byte record per item.

Filtering a candidate reads its stock, price and category; in the snapshot those are three
arrays, so each candidate costs three random cache lines (and three pages of a 3 GB map). The
page kernel reads them from one int32 record per item instead, built once per ``Served`` from
the snapshot's arrays and the served prices (``pack``): 16 bytes an item, 16 MB for a
million items, private to the worker and never written to disk, so the snapshot format (and
both builders) stay as they are.

The kernels read attributes through the accessors below, which take either the records or the
arrays themselves (a ``(in_stock, price, category)`` tuple; a bare category or margin array
where only that is read): the public kernels keep their array arguments, and one body of
filter rules serves both.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import types
from numba.extending import overload

from edge.scoring.memory import prefetch

CATEGORY, PRICE, STOCK, MARGIN = range(4)  # columns; PRICE and MARGIN hold float32 bits
FIELDS = 4


def pack(in_stock: np.ndarray, price: np.ndarray, category: np.ndarray, margin: np.ndarray) -> np.ndarray:
    """int32 records (items, FIELDS), read-only: as many items as the shortest of stock, price and category
    (what the filters have always read), the margin NaN where it has none."""
    n = min(len(in_stock), len(price), len(category))
    known = np.full(n, np.nan, np.float32)
    known[:min(n, len(margin))] = margin[:n]
    records = np.empty((n, FIELDS), np.int32)
    records[:, CATEGORY] = category[:n]
    records[:, PRICE] = np.ascontiguousarray(price[:n], np.float32).view(np.int32)
    records[:, STOCK] = in_stock[:n]
    records[:, MARGIN] = known.view(np.int32)
    records.flags.writeable = False
    return records


def _records(attrs: Any) -> bool:
    return isinstance(attrs, types.Array) and attrs.ndim == 2


# Stubs for Python; numba compiles the overloads below, inlined where they are called. The overloads carry no
# annotations: numba compares their parameters with their implementations'.
def item_count(attrs: Any) -> int:
    raise NotImplementedError


def in_stock(attrs: Any, item: int) -> bool:
    raise NotImplementedError


def price_of(attrs: Any, item: int) -> float:
    raise NotImplementedError


def category_of(attrs: Any, item: int) -> int:
    raise NotImplementedError


def margin_of(attrs: Any, item: int) -> float:
    raise NotImplementedError


def touch(attrs: Any, item: int) -> None:
    raise NotImplementedError


@overload(item_count, inline="always")
def _item_count(attrs):
    if _records(attrs) or isinstance(attrs, types.Array):
        return lambda attrs: attrs.shape[0]
    if isinstance(attrs, types.BaseTuple):
        return lambda attrs: min(attrs[0].shape[0], attrs[1].shape[0], attrs[2].shape[0])
    return None


@overload(in_stock, inline="always")
def _in_stock(attrs, item):
    if _records(attrs):
        return lambda attrs, item: attrs[item, STOCK] != 0
    if isinstance(attrs, types.BaseTuple):
        return lambda attrs, item: attrs[0][item]
    return None


@overload(price_of, inline="always")
def _price_of(attrs, item):
    if _records(attrs):
        return lambda attrs, item: np.int32(attrs[item, PRICE]).view(np.float32)
    if isinstance(attrs, types.BaseTuple):
        return lambda attrs, item: attrs[1][item]
    if isinstance(attrs, types.Array):  # the price array itself
        return lambda attrs, item: attrs[item]
    return None


@overload(category_of, inline="always")
def _category_of(attrs, item):
    if _records(attrs):
        return lambda attrs, item: attrs[item, CATEGORY]
    if isinstance(attrs, types.BaseTuple):
        return lambda attrs, item: attrs[2][item]
    if isinstance(attrs, types.Array):  # the category array itself
        return lambda attrs, item: attrs[item]
    return None


@overload(margin_of, inline="always")
def _margin_of(attrs, item):
    if _records(attrs):
        return lambda attrs, item: np.int32(attrs[item, MARGIN]).view(np.float32)
    if isinstance(attrs, types.Array):  # the margin array itself
        return lambda attrs, item: attrs[item]
    return None


@overload(touch, inline="always")
def _touch(attrs, item):
    """Prefetch an item's record (``edge.scoring.memory.prefetch``); nothing for the arrays themselves."""
    if _records(attrs):
        return lambda attrs, item: prefetch(attrs, item, 0)
    return lambda attrs, item: None
