"""Opening a snapshot maps its arrays; it must not copy or parse the tables (budget: 50 ms)."""

from __future__ import annotations

from typing import Any

from edge.store import open_snapshot


def test_open_snapshot(benchmark: Any, synthetic_tables: Any) -> None:
    def open_and_close() -> int:
        snap = open_snapshot(synthetic_tables)
        n = snap.n_items
        snap.close()
        return n

    assert benchmark(open_and_close) > 0
