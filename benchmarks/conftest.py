"""Shared benchmark fixtures: a synthetic 1M-item x 50-neighbour snapshot, built once and
kept under $SKYLT_BENCH_DIR (default /tmp/skylt-bench) for later runs."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

BENCH_DIR = Path(os.environ.get("SKYLT_BENCH_DIR", "/tmp/skylt-bench"))
N_ITEMS = int(os.environ.get("SKYLT_BENCH_ITEMS", "1000000"))


def decoded(pairs: list[tuple[str, str]]) -> Any:
    """The request of ``pairs`` as a GET's query string decodes it (``decode_query_string``)."""
    from urllib.parse import urlencode

    from edge.serve.codec import decode_query_string

    return decode_query_string(urlencode(pairs, safe=",").encode("ascii"))


def synthetic_tables_for(n_items: int) -> Path:
    """The synthetic snapshot of ``n_items`` x 50 neighbours under BENCH_DIR, built on first use."""
    from edge.build.synthetic import synthetic_snapshot
    from edge.store import SnapshotDir

    tables = BENCH_DIR / f"synthetic-{n_items}"
    if SnapshotDir(tables).current_version() is None:
        synthetic_snapshot(tables, n_items=n_items, k=50)
    return tables


def event_files(n_events: int, n_items: int) -> tuple[Path, Path]:
    """A synthetic events CSV and catalog CSV under BENCH_DIR, written on first use."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.csv as pacsv

    from edge.build.frames import EventType
    from edge.build.synthetic import synthetic_frames

    folder = BENCH_DIR / f"build-{n_events}-{n_items}"
    events_csv, catalog_csv = folder / "events.csv", folder / "catalog.csv"
    if not events_csv.exists():
        folder.mkdir(parents=True, exist_ok=True)
        ev, cat = synthetic_frames(n_events, n_items, seed=3)
        ids = np.array(cat.item_ids, dtype=object)
        types = np.array([t.name.lower() for t in EventType], dtype=object)
        table = pa.table({
            "ts": ev.ts, "type": pa.array(types[ev.kind]),
            "item_id": pa.array(ids[ev.item]), "session_id": ev.session.astype(str),
            "user_id": ev.user.astype(str),
            "order_id": pa.array(np.where(ev.order >= 0, ev.order.astype(str), None)),
        })
        pacsv.write_csv(table, folder / "events.tmp.csv")
        categories = np.array(cat.categories, dtype=object)
        pacsv.write_csv(pa.table({"item_id": pa.array(ids), "title": cat.title, "price": cat.price,
                                  "category": pa.array(categories[cat.category]),
                                  "brand": pa.array(np.array(cat.brands, dtype=object)[cat.brand]),
                                  "in_stock": cat.in_stock}), catalog_csv)
        os.replace(folder / "events.tmp.csv", events_csv)
    return events_csv, catalog_csv


@pytest.fixture(scope="session")
def synthetic_tables() -> Path:
    return synthetic_tables_for(N_ITEMS)
