"""Small hand-built frames and checks shared by the table tests (imported relatively)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from edge.build.frames import Catalog, Events, EventType, Neighbours

DAY = 86_400


def make_events(session: npt.ArrayLike, item: npt.ArrayLike, *, kind: Any = EventType.VIEW, ts: Any = None,
                 user: Any = -1, order: Any = -1, quantity: Any = 1.0, region: Any = -1,
                 segment: Any = -1) -> Events:
    """Events from per-event columns (scalars broadcast), sorted by (session, ts) like encode does.
    ``ts`` defaults to the event's position in seconds, so the given order is the time order."""
    n = np.asarray(item).shape[0]

    def col(value: Any, dtype: Any) -> np.ndarray:
        return np.broadcast_to(np.asarray(value, dtype=dtype), (n,)).copy()

    ts_arr = np.arange(n, dtype=np.int64) if ts is None else col(ts, np.int64)
    sess = col(session, np.int64)
    order_idx = np.lexsort((ts_arr, sess))
    regions = col(region, np.int32)
    segments = col(segment, np.int32)
    return Events(
        ts=ts_arr[order_idx], kind=col(kind, np.int8)[order_idx], item=col(item, np.int32)[order_idx],
        session=sess[order_idx], user=col(user, np.int64)[order_idx], order=col(order, np.int64)[order_idx],
        quantity=col(quantity, np.float32)[order_idx], price=np.full(n, np.nan, np.float32),
        region=regions[order_idx], segment=segments[order_idx],
        regions=[f"r{r}" for r in range(int(regions.max(initial=-1)) + 1)],
        segments=[f"s{s}" for s in range(int(segments.max(initial=-1)) + 1)],
    )


def make_catalog(titles: Sequence[str | None], *, category: Any = -1, categories: Sequence[str] = (),
                  brand: Any = -1, price: Any = np.nan) -> Catalog:
    n = len(titles)

    def col(value: Any, dtype: Any) -> np.ndarray:
        return np.broadcast_to(np.asarray(value, dtype=dtype), (n,)).copy()

    brands = col(brand, np.int32)
    return Catalog(
        item_ids=[f"SKU-{i}" for i in range(n)], price=col(price, np.float32),
        category=col(category, np.int32), brand=brands, in_stock=np.ones(n, bool),
        rating=np.full(n, np.nan, np.float32),
        review_count=np.full(n, -1, np.int32), margin=np.full(n, np.nan, np.float32),
        created_at=np.zeros(n, np.int64), title=list(titles), url=[None] * n, image=[None] * n,
        currency=[None] * n, categories=list(categories),
        brands=[f"b{b}" for b in range(int(brands.max(initial=-1)) + 1)],
    )


def row(nb: Neighbours, i: int) -> tuple[list[int], list[float], list[int]]:
    s, e = int(nb.indptr[i]), int(nb.indptr[i + 1])
    return nb.indices[s:e].tolist(), nb.scores[s:e].tolist(), nb.counts[s:e].tolist()


def as_dict(nb: Neighbours) -> dict[tuple[int, int], int]:
    """{(i, j): count} of every entry."""
    rows = np.repeat(np.arange(nb.n_items), np.diff(nb.indptr))
    return {(int(i), int(j)): int(c) for i, j, c in zip(rows, nb.indices, nb.counts, strict=True)}


def check_well_formed(nb: Neighbours, n_items: int, k: int) -> None:
    """The invariants every neighbour table keeps."""
    assert nb.indptr.dtype == np.int64 and nb.indptr.shape == (n_items + 1,)
    assert nb.indices.dtype == np.int32 and nb.scores.dtype == np.float32 and nb.counts.dtype == np.int32
    assert nb.indptr[0] == 0 and nb.indptr[-1] == nb.indices.shape[0] == nb.scores.shape[0]
    sizes = np.diff(nb.indptr)
    assert (sizes >= 0).all() and (sizes <= k).all()
    for i in range(n_items):
        idx, scores, _ = row(nb, i)
        assert i not in idx
        assert len(set(idx)) == len(idx)
        assert all(0 <= j < n_items for j in idx)
        assert all(s > 0 for s in scores)
        # Descending score, ties by ascending id.
        assert all((a > b) or (a == b and x < y)
                   for a, b, x, y in zip(scores, scores[1:], idx, idx[1:], strict=False))
