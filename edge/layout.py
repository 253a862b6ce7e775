"""What a snapshot holds and under which LMDB keys: shared by the writer and the store.

A snapshot is one LMDB environment per version directory. Large arrays are stored as one
value each (``a/<name>``) so a reader maps them zero-copy; their dtype and shape live in the
manifest. External item ids map to dense ids through the ``ids`` sub-database.
"""

from __future__ import annotations

import msgspec

SCHEMA_VERSION = 1
MANIFEST_KEY = b"manifest"
IDS_DB = b"ids"
ARRAY_PREFIX = "a/"

# Neighbour tables in the order they are stacked in ``nbr_*`` arrays (new tables go last, so a
# table's position in older snapshots holds).
NEIGHBOUR_TABLES = ("also_viewed", "viewed_next", "bought_together", "also_bought", "similar_content", "viewed_near",
                    "bought_category")

# Ranked lists: name -> what one row (group) is.
RANKINGS = {
    "bestsellers": "global",
    "bestsellers_category": "category",
    "bestsellers_region": "region",
    "bestsellers_segment": "segment",
    "trending": "global",
}

ITEM_ARRAYS = ("price", "category", "brand", "in_stock", "rating", "review_count", "margin", "created_at",
               "popularity", "purchases_7d", "purchases_30d", "views_7d")


def array_key(name: str) -> bytes:
    return (ARRAY_PREFIX + name).encode()


class ArraySpec(msgspec.Struct, frozen=True):
    dtype: str
    shape: tuple[int, ...]
    # Where the value's bytes start in data.mdb when LMDB stored it on its own overflow
    # pages (every value larger than a page), so readers can map it without asking LMDB
    # for it (py-lmdb touches every page of a value it returns); -1 for small values.
    offset: int = -1


# LMDB's page header (pgno u64, pad u16, flags u16, overflow page count u32) and its
# overflow flag: an overflow value starts right after the header of its first page.
PAGE_HEADER = 16
P_OVERFLOW = 0x04


def overflow_header(header: bytes) -> tuple[int, int, int]:
    """(page number, flags, pages) of an LMDB page header."""
    return (int.from_bytes(header[0:8], "little"), int.from_bytes(header[10:12], "little"),
            int.from_bytes(header[12:16], "little"))


class InputFile(msgspec.Struct, frozen=True):
    path: str
    kind: str            # "events" or "catalog"
    size: int
    sha256: str
    rows: int


class Tune(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Values ``skylt build`` chose for this shop on a validation window cut from the end of its
    training data. The server uses them over the defaults; explicit settings still win."""

    weights: dict[str, dict[str, float]] = {}  # recipe (history, cart, similar, together, content) -> table -> weight
    history_half_life: float | None = None     # positions
    similar_history_half_life: float | None = None  # positions; 0: ``similar`` blends the anchor alone
    tables: dict[str, dict[str, float | str]] = {}  # table -> how it was scored, where not the default
    validation: dict[str, float | int | str] = {}  # what was measured to choose them


class Manifest(msgspec.Struct, frozen=True, kw_only=True):
    schema: int
    version: str
    built_at: str                       # ISO-8601 UTC
    now: int                            # Unix seconds the decays are relative to
    n_items: int
    n_events: int
    inputs: list[InputFile]
    counts: dict[str, int]
    params: dict[str, float | int | str]
    tables: list[str]
    rankings: list[str]
    arrays: dict[str, ArraySpec]
    categories: list[str]
    brands: list[str]
    regions: list[str]
    segments: list[str]
    tune: Tune | None = None            # absent: the build did not tune (too few cases, or --no-tune)


manifest_encoder = msgspec.json.Encoder()
manifest_decoder = msgspec.json.Decoder(Manifest)
