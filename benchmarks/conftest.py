"""Shared benchmark fixtures: a synthetic 1M-item x 50-neighbour snapshot, built once and
kept under $SKYLT_BENCH_DIR (default /tmp/skylt-bench) for later runs."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

BENCH_DIR = Path(os.environ.get("SKYLT_BENCH_DIR", "/tmp/skylt-bench"))
N_ITEMS = int(os.environ.get("SKYLT_BENCH_ITEMS", "1000000"))


def synthetic_tables_for(n_items: int) -> Path:
    """The synthetic snapshot of ``n_items`` x 50 neighbours under BENCH_DIR, built on first use."""
    from edge.build.synthetic import synthetic_snapshot
    from edge.store import SnapshotDir

    tables = BENCH_DIR / f"synthetic-{n_items}"
    if SnapshotDir(tables).current_version() is None:
        synthetic_snapshot(tables, n_items=n_items, k=50)
    return tables


@pytest.fixture(scope="session")
def synthetic_tables() -> Path:
    return synthetic_tables_for(N_ITEMS)
