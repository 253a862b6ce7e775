"""Read shop events and catalogs into the normalised schemas (see docs/data-format.md).

Formats by file name: ``.csv``, ``.jsonl``/``.ndjson`` (each optionally ``.gz``) and
``.parquet``. Bad input raises one ``InputError`` for the first bad row, naming the file,
the line (CSV: the header is line 1; JSON Lines: the object's line; Parquet: the 1-based
row) and the field. Blank lines and unknown columns are skipped; nothing else is.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from edge.build import parse
from edge.build.frames import CATALOG_SCHEMA, EVENTS_SCHEMA
from edge.build.sources import RawTable, load
from edge.errors import EmptyInputError, InputError

ID_COLUMNS = ("session_id", "user_id", "order_id")


class Columns:
    """Converts the columns of one file, keeping the earliest problem across all fields."""

    def __init__(self, raw: RawTable) -> None:
        self.raw = raw
        self.n = raw.rows
        self.problems: list[tuple[int, int, str, str]] = []

    def has(self, name: str) -> bool:
        return name in self.raw.table.column_names

    def get(self, name: str, convert: Callable[[pa.ChunkedArray], pa.Array], type_: pa.DataType, *,
            required: bool = False) -> pa.Array:
        if not self.has(name):
            return pa.nulls(self.n, type_)
        try:
            out = convert(self.raw.table[name])
            if required:
                parse.require(out, "or empty value")
        except parse.BadValue as exc:
            self.flag(exc.row, name, exc.message)
            return pa.nulls(self.n, type_)
        return out.cast(type_)

    def flag(self, row: int, name: str, message: str) -> None:
        self.problems.append((row, len(self.problems), name, message))

    def check(self) -> None:
        if self.problems:
            row, _, name, message = min(self.problems)
            raise InputError(message, path=self.raw.path, line=self.raw.line_of(row), field=name)


def columns(path: str | Path, names: Collection[str], required: Collection[str]) -> Columns:
    """The known ``names`` of a file, checking it has rows and the ``required`` columns."""
    raw = load(path, names)
    if raw.rows == 0:
        raise EmptyInputError("no data rows", path=raw.path)
    for name in required:
        if name not in raw.table.column_names:
            raise InputError("missing required column", path=raw.path, line=raw.header_line, field=name)
    return Columns(raw)


# Rows the shop's own systems did not vouch for (purchases a browser reported with the public key): kept in
# the event log for attribution, never counted by the builder (docs/api.md#trusted-purchases).
UNTRUSTED_SOURCE = "browser"


EVENT_COLUMNS = (*EVENTS_SCHEMA.names, "source")
REQUIRED_EVENT_COLUMNS = ("ts", "type", "item_id")


def read_events(path: str | Path) -> pa.Table:
    """Events in EVENTS_SCHEMA, in file order, without rows whose ``source`` is ``browser``.
    Quantity defaults to 1; price is null when absent."""
    table, trusted = parse_events(columns(path, EVENT_COLUMNS, REQUIRED_EVENT_COLUMNS))
    return table if trusted is None else table.filter(trusted)


def parse_events(cols: Columns) -> tuple[pa.Table, pa.Array | None]:
    """Every row in EVENTS_SCHEMA and which of them to count (None: all): the part of
    ``read_events`` that the Spark builder runs on each batch of a file."""
    if not any(cols.has(c) for c in ID_COLUMNS):
        raise InputError("missing required column: one of session_id, user_id, order_id is needed",
                         path=cols.raw.path, line=cols.raw.header_line, field="session_id")
    ts = cols.get("ts", parse.timestamp, pa.int64(), required=True)
    kind = cols.get("type", parse.event_type, pa.int8(), required=True)
    item = cols.get("item_id", parse.text, pa.string(), required=True)
    ids = [cols.get(c, parse.text, pa.string()) for c in ID_COLUMNS]
    quantity = cols.get("quantity", lambda a: parse.number(a, minimum=0), pa.float64())
    price = cols.get("price", lambda a: parse.number(a, minimum=0), pa.float64())
    region = cols.get("region", parse.text, pa.string())
    segment = cols.get("segment", parse.text, pa.string())
    source = cols.get("source", parse.text, pa.string())
    no_id = ~np.logical_or.reduce([a.is_valid().to_numpy(zero_copy_only=False) for a in ids])
    if no_id.any():
        cols.flag(int(np.flatnonzero(no_id)[0]), "session_id", "none of session_id, user_id, order_id is set")
    cols.check()
    table = pa.Table.from_arrays(
        [ts, kind, item, *ids, pc.fill_null(quantity, 1.0), price, region, segment], schema=EVENTS_SCHEMA)
    if not cols.has("source"):
        return table, None
    return table, pc.fill_null(pc.not_equal(source, UNTRUSTED_SOURCE), True)


def read_catalog(path: str | Path) -> pa.Table:
    """Catalog items in CATALOG_SCHEMA. in_stock defaults to true. When an item_id occurs
    more than once, the last row wins and the item takes that row's position."""
    return parse_catalog(columns(path, CATALOG_SCHEMA.names, ("item_id",)))


def parse_catalog(cols: Columns) -> pa.Table:
    """``read_catalog`` after the file is read (the Spark builder reads it its own way)."""
    arrays = {
        "item_id": cols.get("item_id", parse.text, pa.string(), required=True),
        "price": cols.get("price", lambda a: parse.number(a, minimum=0), pa.float64()),
        "in_stock": cols.get("in_stock", parse.boolean, pa.bool_()),
        "rating": cols.get("rating", lambda a: parse.number(a, minimum=0, maximum=5), pa.float64()),
        "review_count": cols.get("review_count", lambda a: parse.number(a, minimum=0, integer=True),
                                 pa.int64()),
        "margin": cols.get("margin", parse.number, pa.float64()),
        "created_at": cols.get("created_at", parse.timestamp, pa.int64()),
    }
    for name in ("title", "currency", "category", "brand"):
        arrays[name] = cols.get(name, parse.text, pa.string())
    for name in ("url", "image"):  # never a javascript: link, whoever consumes the API
        arrays[name] = cols.get(name, parse.link, pa.string())
    cols.check()
    arrays["in_stock"] = pc.fill_null(arrays["in_stock"], True)
    table = pa.Table.from_arrays([arrays[name] for name in CATALOG_SCHEMA.names], schema=CATALOG_SCHEMA)
    return parse.dedupe_last(table, "item_id")
