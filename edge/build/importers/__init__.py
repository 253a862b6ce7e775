"""Importers that turn public datasets into Skylt's own input format.

Each importer module has a ``load`` function returning ``(events, catalog | None)`` in
EVENTS_SCHEMA / CATALOG_SCHEMA and a ``write`` function writing them with
``write_skylt`` as ``events.csv.gz`` (and ``catalog.csv``), ready for ``read_events`` /
``read_catalog``.
"""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv

from edge.build.frames import EVENT_TYPE_NAMES, EVENTS_SCHEMA

EVENTS_FILE = "events.csv.gz"
CATALOG_FILE = "catalog.csv"


def _csv_bytes(table: pa.Table) -> bytes:
    # Columns that are entirely null carry nothing; leaving them out keeps files small.
    keep = [name for name in table.column_names if table[name].null_count < table.num_rows]
    buf = io.BytesIO()
    pcsv.write_csv(table.select(keep), buf, pcsv.WriteOptions(quoting_style="needed"))
    return buf.getvalue()


def events_for_csv(events: pa.Table) -> pa.Table:
    """Events with ISO-8601 UTC timestamps, type names and whole quantities as integers."""
    names = pa.array([name for name, _ in sorted(EVENT_TYPE_NAMES.items(), key=lambda kv: kv[1])])
    ts = pc.strftime(events["ts"].cast(pa.timestamp("s")), "%Y-%m-%dT%H:%M:%SZ")
    kind = pc.take(names, events["type"].cast(pa.int32()))
    quantity = events["quantity"]
    if pc.all(pc.equal(quantity, pc.floor(quantity))).as_py() is not False:
        quantity = quantity.cast(pa.int64())
    cols = {name: events[name] for name in EVENTS_SCHEMA.names}
    cols.update(ts=ts, type=kind, quantity=quantity)
    return pa.table(cols)


def write_skylt(out_dir: str | Path, events: pa.Table, catalog: pa.Table | None = None) -> list[Path]:
    """Write ``events.csv.gz`` (and ``catalog.csv``) into ``out_dir``; returns the paths.

    The gzip stream has no timestamp or file name, so equal input gives equal bytes.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / EVENTS_FILE]
    paths[0].write_bytes(gzip.compress(_csv_bytes(events_for_csv(events)), compresslevel=9, mtime=0))
    if catalog is not None:
        paths.append(out / CATALOG_FILE)
        paths[1].write_bytes(_csv_bytes(catalog))
    return paths
