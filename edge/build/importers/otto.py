"""Importer for the OTTO session dataset (OTTO GmbH & Co KG, Kaggle 2022; CC BY 4.0).

Two layouts are read: OTTO's own JSON Lines (``{"session": int, "events": [{"aid", "ts",
"type"}]}`` per line) and a flat CSV with columns session, aid, ts, type. Types map
clicks -> view, carts -> cart, orders -> purchase; ts is in milliseconds. Orders of one
session at the same ms form one basket, order_id "<session>-<ts ms>". OTTO publishes no
item data, so there is no catalog.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pjson

from edge.build import parse
from edge.build.frames import EVENTS_SCHEMA, EventType
from edge.build.importers import write_skylt
from edge.build.readers import columns
from edge.build.sources import file_format
from edge.errors import EmptyInputError, InputError

TYPE_MAP = {"clicks": EventType.VIEW, "carts": EventType.CART, "orders": EventType.PURCHASE}
_FLAT = ("session", "aid", "ts", "type")


def _nested(path: Path) -> tuple[pa.Table, Callable[[int], int]]:
    """Flatten OTTO's one-session-per-line JSON into columns session, aid, ts, type."""
    try:
        table = pjson.read_json(path, read_options=pjson.ReadOptions(block_size=1 << 24))
        events = table["events"].combine_chunks()
        flat = pc.list_flatten(events)
        parent = pc.list_parent_indices(events)
        session = pc.take(table["session"].combine_chunks(), parent)
        flat_table = pa.table({"session": session, "aid": flat.field("aid"), "ts": flat.field("ts"),
                               "type": flat.field("type")})
        return flat_table, lambda row: int(parent[row].as_py()) + 1  # the session's line
    except (pa.ArrowInvalid, KeyError, OSError) as exc:
        detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError(f"not OTTO's JSON Lines layout ({detail})", path=str(path)) from None


def _flat(path: Path) -> tuple[pa.Table, Callable[[int], int | None]]:
    cols = columns(path, _FLAT, _FLAT)
    table = pa.table({name: cols.get(name, parse.text, pa.string(), required=True) for name in _FLAT})
    cols.check()
    return table, cols.raw.line_of


def load(path: str | Path) -> tuple[pa.Table, None]:
    """(events, None) from an OTTO ``.jsonl`` (nested) or flat ``.csv`` file, in file order."""
    p = Path(path)
    kind, _ = file_format(p)
    raw, line_of = _nested(p) if kind == "jsonl" else _flat(p)
    if raw.num_rows == 0:
        raise EmptyInputError("no events", path=str(path))
    for name in _FLAT:
        missing = raw[name].is_null().to_numpy(zero_copy_only=False)
        if missing.any():
            row = int(np.flatnonzero(missing)[0])
            raise InputError("missing value", path=str(path), line=line_of(row), field=name)

    names = pa.array(list(TYPE_MAP))
    idx = pc.index_in(parse.text(raw["type"]), value_set=names)
    if idx.null_count:
        row = int(np.flatnonzero(idx.is_null().to_numpy(zero_copy_only=False))[0])
        raise InputError(f"unknown OTTO event type {raw['type'][row].as_py()!r} (expected clicks, carts or "
                         "orders)", path=str(path), line=line_of(row), field="type")
    kind_codes = np.array([int(t) for t in TYPE_MAP.values()], np.int8)[idx.to_numpy(zero_copy_only=False)]

    ts_ms = pc.cast(raw["ts"], pa.int64())
    session = parse.text(raw["session"])
    is_order = kind_codes == int(EventType.PURCHASE)
    basket = pc.binary_join_element_wise(session, pc.cast(ts_ms, pa.string()), "-")
    order_id = pc.if_else(pa.array(is_order), basket, pa.scalar(None, pa.string()))
    n = raw.num_rows
    events = pa.Table.from_arrays([
        pa.array(np.floor_divide(ts_ms.to_numpy(zero_copy_only=False), 1000)), pa.array(kind_codes),
        parse.text(raw["aid"]), session,
        pa.nulls(n, pa.string()), order_id, pa.array(np.ones(n)), pa.nulls(n, pa.float64()),
        pa.nulls(n, pa.string()), pa.nulls(n, pa.string()),
    ], schema=EVENTS_SCHEMA)
    return events, None


def write(path: str | Path, out_dir: str | Path) -> list[Path]:
    """Write the OTTO data as a Skylt events file (events.csv.gz) into ``out_dir``."""
    events, _ = load(path)
    return write_skylt(out_dir, events)
