"""Importer for YOOCHOOSE click sessions (RecSys Challenge 2015) as session-rec prepares them.

The file is tab-separated with the header ``SessionId ItemId Time`` (Unix seconds, with a
fraction), optionally gzipped. Every row is a click; there are no orders and no item data,
so there is no catalog.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv

from edge.build.frames import EVENTS_SCHEMA, EventType
from edge.build.importers import write_skylt
from edge.errors import EmptyInputError, InputError

_COLUMNS = ("SessionId", "ItemId", "Time")


def load(path: str | Path) -> tuple[pa.Table, None]:
    """(events, None): one click per row, in file order."""
    try:
        raw = pcsv.read_csv(path, parse_options=pcsv.ParseOptions(delimiter="\t"),
                            convert_options=pcsv.ConvertOptions(
                                include_columns=list(_COLUMNS),
                                column_types={"SessionId": pa.string(), "ItemId": pa.string(),
                                              "Time": pa.float64()}))
    except (pa.ArrowInvalid, KeyError, OSError) as exc:
        detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError(f"not the SessionId/ItemId/Time layout ({detail})", path=str(path)) from None
    n = raw.num_rows
    if n == 0:
        raise EmptyInputError("no events", path=str(path))
    ts = pc.floor(raw["Time"]).cast(pa.int64())
    events = pa.Table.from_arrays([
        ts, pa.array(np.full(n, int(EventType.CLICK), np.int8)), raw["ItemId"], raw["SessionId"],
        pa.nulls(n, pa.string()), pa.nulls(n, pa.string()), pa.array(np.ones(n)), pa.nulls(n, pa.float64()),
        pa.nulls(n, pa.string()), pa.nulls(n, pa.string()),
    ], schema=EVENTS_SCHEMA)
    return events, None


def write(path: str | Path, out_dir: str | Path) -> list[Path]:
    """Write the clicks as Skylt's events.csv.gz into ``out_dir``."""
    events, _ = load(path)
    return write_skylt(out_dir, events)
