"""Turn normalised event and catalog tables into the dense numpy frames the builder uses.

Item ids: catalog items first in catalog order, then items seen only in events in order of
first appearance. Sessions: session_id if set, else order_id, else the user's events split
at gaps of more than 30 minutes; a row with none of the three is a session of its own.
Events come out sorted by (session, ts, input order). All of it is vectorised.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from edge.build.frames import CATALOG_SCHEMA, EVENTS_SCHEMA, Catalog, Events
from edge.build.parse import dedupe_last, flat
from edge.errors import InputError

SESSION_GAP = 30 * 60  # seconds of inactivity that end a user's session


def _conform(table: pa.Table, schema: pa.Schema) -> pa.Table:
    cols = [table[f.name].cast(f.type) if f.name in table.column_names else pa.nulls(table.num_rows, f.type)
            for f in schema]
    return pa.Table.from_arrays(cols, schema=schema)


def _np(arr: pa.Array | pa.ChunkedArray, fill: object, dtype: type) -> np.ndarray:
    filled = pc.fill_null(arr, fill) if arr.null_count else arr
    if isinstance(filled, pa.ChunkedArray):
        filled = filled.combine_chunks() if filled.num_chunks else pa.array([], filled.type)
    return np.asarray(filled.to_numpy(zero_copy_only=False), dtype=dtype)


def codes(col: pa.ChunkedArray | pa.Array) -> tuple[np.ndarray, pa.Array]:
    """Dense int64 codes in order of first appearance (-1 for null) and the distinct values."""
    enc = pc.dictionary_encode(col)
    chunks = enc.chunks if isinstance(enc, pa.ChunkedArray) else [enc]
    if not chunks:
        return np.zeros(0, np.int64), pa.array([], col.type)
    # Chunks of one encoded ChunkedArray share the final dictionary.
    idx = np.concatenate([_np(c.indices, -1, np.int64) for c in chunks])
    return idx, chunks[-1].dictionary


def sorted_codes(col: pa.ChunkedArray | pa.Array) -> tuple[np.ndarray, list[str]]:
    """Codes into the sorted list of distinct non-null values (-1 for null)."""
    idx, values = codes(col)
    names = values.to_pylist()
    order = np.argsort(np.array(names, dtype=object), kind="stable") if names else np.zeros(0, np.int64)
    rank = np.empty(len(names), np.int64)
    rank[order] = np.arange(len(names))
    out = np.where(idx >= 0, rank[np.maximum(idx, 0)] if len(names) else -1, -1)
    return out, [names[i] for i in order]


def group_median(groups: np.ndarray, values: np.ndarray, n_groups: int) -> np.ndarray:
    """Median of ``values`` per group id in [0, n_groups); NaN for groups without values."""
    # Sorting one int64 key (group, rank of value) is faster than np.lexsort on two keys.
    distinct, rank = np.unique(values, return_inverse=True)
    v = distinct[np.sort(groups.astype(np.int64) * max(len(distinct), 1) + rank) % max(len(distinct), 1)]
    counts = np.bincount(groups, minlength=n_groups)
    starts = np.cumsum(counts) - counts
    out = np.full(n_groups, np.nan)
    has = counts > 0
    lo = starts[has] + (counts[has] - 1) // 2
    hi = starts[has] + counts[has] // 2
    out[has] = (v[lo] + v[hi]) / 2
    return out


def _items(ev_items: pa.ChunkedArray, cat_ids: pa.Array) -> tuple[np.ndarray, list[str]]:
    """Dense item per event and the ids of items seen only in events."""
    if ev_items.null_count:
        raise InputError("an event has no item_id", field="item_id")
    in_cat = _np(pc.index_in(ev_items, value_set=cat_ids.cast(ev_items.type)), -1, np.int64)
    item = in_cat.astype(np.int32)
    unknown = in_cat < 0
    if not unknown.any():
        return item, []
    new, new_ids = codes(ev_items.filter(pa.array(unknown)))
    item[unknown] = len(cat_ids) + new
    return item, new_ids.to_pylist()


def _sessions(ts: np.ndarray, session: np.ndarray, order: np.ndarray, user: np.ndarray) -> np.ndarray:
    key = np.full(ts.shape[0], -1, np.int64)
    offset = 0
    for source in (session, order):
        use = (key < 0) & (source >= 0)
        key[use] = offset + source[use]
        offset += int(source.max(initial=-1)) + 1
    rows = np.flatnonzero((key < 0) & (user >= 0))
    if rows.size:
        rows = rows[np.lexsort((rows, ts[rows], user[rows]))]
        u, t = user[rows], ts[rows]
        starts = np.ones(rows.size, bool)
        starts[1:] = (u[1:] != u[:-1]) | (t[1:] - t[:-1] > SESSION_GAP)
        key[rows] = offset + np.cumsum(starts) - 1
        offset += int(starts.sum())
    alone = np.flatnonzero(key < 0)
    key[alone] = offset + np.arange(alone.size)
    offset += alone.size
    # Drop the numbers no row uses (order ids of rows that had a session_id, ...).
    used = np.zeros(offset, bool)
    used[key] = True
    return (np.cumsum(used) - 1)[key]


def _session_order(session: np.ndarray, ts: np.ndarray) -> np.ndarray:
    """Permutation sorting by (session, ts, input order)."""
    n = ts.shape[0]
    by_time = np.argsort(ts, kind="stable")
    # Keys (session, rank in time order) are unique, so a plain sort of one int64 is stable
    # enough and faster than a two-pass stable argsort or np.lexsort.
    keys = np.sort(session[by_time] * max(n, 1) + np.arange(n))
    return by_time[keys % max(n, 1)]


def encode(events: list[pa.Table], catalog: pa.Table | None) -> tuple[Events, Catalog]:
    ev = pa.concat_tables([_conform(t, EVENTS_SCHEMA) for t in events]) if events \
        else EVENTS_SCHEMA.empty_table()
    cat = conform_catalog(catalog)
    cat_ids = flat(cat["item_id"])

    ts = _np(ev["ts"], 0, np.int64)
    item, new_ids = _items(ev["item_id"], cat_ids)
    user, _ = codes(ev["user_id"])
    order, _ = codes(ev["order_id"])
    session = _sessions(ts, codes(ev["session_id"])[0], order, user)
    region, regions = sorted_codes(ev["region"])
    segment, segments = sorted_codes(ev["segment"])
    price = _np(ev["price"], np.nan, np.float64)

    perm = _session_order(session, ts)
    frame = Events(
        ts=ts[perm], kind=_np(ev["type"], 0, np.int8)[perm], item=item[perm], session=session[perm],
        user=user[perm], order=order[perm], quantity=_np(ev["quantity"], 1.0, np.float32)[perm],
        price=price[perm].astype(np.float32), region=region[perm].astype(np.int32),
        segment=segment[perm].astype(np.int32), regions=regions, segments=segments,
    )
    n_cat = len(cat_ids)
    seen = (item >= n_cat) & ~np.isnan(price)
    event_price = group_median(item[seen] - n_cat, price[seen], len(new_ids))
    return frame, catalog_frame(cat, new_ids, event_price)


def conform_catalog(catalog: pa.Table | None) -> pa.Table:
    """The catalog in CATALOG_SCHEMA, one row per item (the last row of an id wins)."""
    return dedupe_last(_conform(catalog, CATALOG_SCHEMA) if catalog is not None
                       else CATALOG_SCHEMA.empty_table(), "item_id")


def catalog_frame(cat: pa.Table, new_ids: list[str], event_price: np.ndarray) -> Catalog:
    """The Catalog frame: ``cat`` (from ``conform_catalog``) then the items seen only in
    events, whose price is ``event_price`` (the median of their events' prices, NaN if none)."""
    cat_ids = flat(cat["item_id"])
    n_new = len(new_ids)

    def extend(col: str, fill: object, dtype: type, new_value: object) -> np.ndarray:
        return np.concatenate([_np(cat[col], fill, dtype), np.full(n_new, new_value, dtype)])

    def strings(col: str) -> list[str | None]:
        return [*cat[col].to_pylist(), *([None] * n_new)]

    category, categories = sorted_codes(cat["category"])
    brand, brands = sorted_codes(cat["brand"])
    return Catalog(
        item_ids=[*cat_ids.to_pylist(), *new_ids],
        price=np.concatenate([_np(cat["price"], np.nan, np.float64), event_price]).astype(np.float32),
        category=extend_codes(category, n_new), brand=extend_codes(brand, n_new),
        in_stock=extend("in_stock", True, np.bool_, True),
        rating=extend("rating", np.nan, np.float32, np.nan),
        review_count=extend("review_count", -1, np.int32, -1),
        margin=extend("margin", np.nan, np.float32, np.nan),
        created_at=extend("created_at", 0, np.int64, 0),
        title=strings("title"), url=strings("url"), image=strings("image"), currency=strings("currency"),
        categories=categories, brands=brands,
    )


def extend_codes(codes_: np.ndarray, n_new: int) -> np.ndarray:
    return np.concatenate([codes_, np.full(n_new, -1)]).astype(np.int32)
