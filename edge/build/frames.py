"""The builder's in-memory model: column-oriented numpy arrays with dense ids.

Readers produce pyarrow tables in the normalised schemas below; ``encode`` (in
``edge.build.encode``) turns them into these frames, which every table computation takes.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa


class EventType(enum.IntEnum):
    VIEW = 0
    CART = 1
    PURCHASE = 2
    CLICK = 3
    REMOVE = 4


EVENT_TYPE_NAMES: dict[str, EventType] = {t.name.lower(): t for t in EventType}

# Normalised schema every events reader returns (one row per event).
EVENTS_SCHEMA = pa.schema([
    ("ts", pa.int64()),            # Unix seconds, UTC
    ("type", pa.int8()),           # EventType
    ("item_id", pa.string()),
    ("session_id", pa.string()),   # nullable
    ("user_id", pa.string()),      # nullable
    ("order_id", pa.string()),     # nullable
    ("quantity", pa.float64()),    # default 1
    ("price", pa.float64()),       # nullable (NaN when unknown)
    ("region", pa.string()),       # nullable
    ("segment", pa.string()),      # nullable
])

# Normalised schema every catalog reader returns (one row per item).
CATALOG_SCHEMA = pa.schema([
    ("item_id", pa.string()),
    ("title", pa.string()),
    ("url", pa.string()),
    ("image", pa.string()),
    ("price", pa.float64()),
    ("currency", pa.string()),
    ("category", pa.string()),     # a path such as "Kitchen > Dishwashers"
    ("brand", pa.string()),
    ("in_stock", pa.bool_()),
    ("rating", pa.float64()),
    ("review_count", pa.int64()),
    ("margin", pa.float64()),
    ("created_at", pa.int64()),    # Unix seconds, UTC
])


@dataclass(frozen=True)
class Events:
    """All events of a build, sorted by (session, ts). Every array has one entry per event."""

    ts: np.ndarray         # int64 Unix seconds
    kind: np.ndarray       # int8 EventType
    item: np.ndarray       # int32 dense item id
    session: np.ndarray    # int64 dense session id: session_id, else order_id, else user split at 30 min gaps
    user: np.ndarray       # int64 dense user id, -1 unknown
    order: np.ndarray      # int64 dense order id, -1 unknown
    quantity: np.ndarray   # float32
    price: np.ndarray      # float32, NaN unknown
    region: np.ndarray     # int32 dense region id, -1 unknown
    segment: np.ndarray    # int32 dense segment id, -1 unknown
    regions: list[str] = field(default_factory=list)
    segments: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return int(self.ts.shape[0])

    def take(self, mask: np.ndarray) -> Events:
        """The events where ``mask`` is true (or at the given indices), names kept."""
        return Events(ts=self.ts[mask], kind=self.kind[mask], item=self.item[mask], session=self.session[mask],
                      user=self.user[mask], order=self.order[mask], quantity=self.quantity[mask],
                      price=self.price[mask], region=self.region[mask], segment=self.segment[mask],
                      regions=self.regions, segments=self.segments)


@dataclass(frozen=True)
class Catalog:
    """One entry per item, indexed by dense item id. Items seen only in events are in stock
    and have no render data (None)."""

    item_ids: list[str]
    price: np.ndarray          # float32, NaN unknown
    category: np.ndarray       # int32 index into categories, -1 unknown
    brand: np.ndarray          # int32 index into brands, -1 unknown
    in_stock: np.ndarray       # bool
    rating: np.ndarray         # float32, NaN unknown
    review_count: np.ndarray   # int32, -1 unknown
    margin: np.ndarray         # float32, NaN unknown
    created_at: np.ndarray     # int64 Unix seconds, 0 unknown
    title: list[str | None]
    url: list[str | None]
    image: list[str | None]
    currency: list[str | None]
    categories: list[str] = field(default_factory=list)
    brands: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.item_ids)


@dataclass(frozen=True)
class Neighbours:
    """Top-K neighbours per item in CSR form; row i lists item i's neighbours, best first."""

    indptr: np.ndarray    # int64, n_items + 1
    indices: np.ndarray   # int32
    scores: np.ndarray    # float32, descending within a row
    counts: np.ndarray    # int32 evidence behind each score (co-occurrences), 0 for content

    @property
    def n_items(self) -> int:
        return int(self.indptr.shape[0] - 1)


@dataclass(frozen=True)
class Ranking:
    """Ranked item lists per group (global has one group); row g is group g's list, best first."""

    indptr: np.ndarray    # int64, n_groups + 1
    items: np.ndarray     # int32
    scores: np.ndarray    # float32
