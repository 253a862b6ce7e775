"""``skylt build`` from 10M events over 1M items, files to published snapshot (budget: 120 s
on 2 cores). The events CSV and catalog are generated once and kept under BENCH_DIR."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pytest

from benchmarks.conftest import BENCH_DIR
from edge.build.frames import EventType
from edge.build.pipeline import build
from edge.build.synthetic import synthetic_frames

N_EVENTS = int(os.environ.get("SKYLT_BENCH_EVENTS", "10000000"))
N_ITEMS = int(os.environ.get("SKYLT_BENCH_ITEMS", "1000000"))
TYPES = {int(t): t.name.lower() for t in EventType}


@pytest.fixture(scope="module")
def files() -> tuple[Path, Path]:
    folder = BENCH_DIR / f"build-{N_EVENTS}-{N_ITEMS}"
    events_csv, catalog_csv = folder / "events.csv", folder / "catalog.csv"
    if not events_csv.exists():
        folder.mkdir(parents=True, exist_ok=True)
        ev, cat = synthetic_frames(N_EVENTS, N_ITEMS, seed=3)
        ids = np.array(cat.item_ids, dtype=object)
        table = pa.table({
            "ts": ev.ts, "type": pa.array(np.array([TYPES[k] for k in range(5)], dtype=object)[ev.kind]),
            "item_id": pa.array(ids[ev.item]), "session_id": ev.session.astype(str),
            "user_id": ev.user.astype(str),
            "order_id": pa.array(np.where(ev.order >= 0, ev.order.astype(str), None)),
        })
        pacsv.write_csv(table, folder / "events.tmp.csv")
        os.replace(folder / "events.tmp.csv", events_csv)
        categories = np.array(cat.categories, dtype=object)
        pacsv.write_csv(pa.table({"item_id": pa.array(ids), "title": cat.title, "price": cat.price,
                                  "category": pa.array(categories[cat.category]),
                                  "brand": pa.array(np.array(cat.brands, dtype=object)[cat.brand]),
                                  "in_stock": cat.in_stock}), catalog_csv)
    return events_csv, catalog_csv


def test_build_10m_events(benchmark: Any, files: tuple[Path, Path], tmp_path: Path) -> None:
    events_csv, catalog_csv = files
    result = benchmark.pedantic(build, args=([events_csv], tmp_path), kwargs={"catalog_path": catalog_csv},
                                rounds=1, iterations=1)
    assert result.manifest.n_events == N_EVENTS
    assert result.manifest.n_items == N_ITEMS
