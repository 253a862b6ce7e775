"""``skylt build`` from 10M events over 1M items, files to published snapshot (budget: 120 s
on 2 cores). The events CSV and catalog are generated once and kept under BENCH_DIR."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from benchmarks.conftest import event_files
from edge.build.pipeline import build

N_EVENTS = int(os.environ.get("SKYLT_BENCH_EVENTS", "10000000"))
N_ITEMS = int(os.environ.get("SKYLT_BENCH_ITEMS", "1000000"))


@pytest.fixture(scope="module")
def files() -> tuple[Path, Path]:
    return event_files(N_EVENTS, N_ITEMS)


def test_build_10m_events(benchmark: Any, files: tuple[Path, Path], tmp_path: Path) -> None:
    events_csv, catalog_csv = files
    result = benchmark.pedantic(build, args=([events_csv], tmp_path), kwargs={"catalog_path": catalog_csv},
                                rounds=1, iterations=1)
    assert result.manifest.n_events == N_EVENTS
    assert result.manifest.n_items == N_ITEMS


def test_build_10m_events_tuned(benchmark: Any, files: tuple[Path, Path], tmp_path: Path) -> None:
    """The same build with per-shop tuning (``skylt build``'s default): at most twice the time."""
    events_csv, catalog_csv = files
    result = benchmark.pedantic(build, args=([events_csv], tmp_path), kwargs={"catalog_path": catalog_csv,
                                                                               "tune": True},
                                rounds=1, iterations=1)
    assert result.manifest.n_events == N_EVENTS
    assert result.manifest.tune is not None
