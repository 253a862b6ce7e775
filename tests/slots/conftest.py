"""A demo-shop snapshot with the variety slot rules care about: every fifth item out of stock,
margins on most items, and customer segments on the events."""

from __future__ import annotations

import csv
import gzip
from collections.abc import Iterator
from pathlib import Path

import pytest

from edge.store import Snapshot, open_snapshot


@pytest.fixture(scope="session")
def stocked_tables(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from edge.build.demo import demo_files
    from edge.build.pipeline import build

    events, catalog = demo_files()
    out = tmp_path_factory.mktemp("stocked")
    with open(catalog, newline="") as fh:
        rows = list(csv.DictReader(fh))
    for i, row in enumerate(rows):
        row["in_stock"] = "false" if i % 5 == 0 else "true"
        row["margin"] = "" if i % 7 == 0 else f"{(i % 11) / 20:.2f}"
    patched = out / "catalog.csv"
    with open(patched, "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    with gzip.open(events[0], "rt", newline="") as fh:
        reader = csv.DictReader(fh)
        fields = [*(reader.fieldnames or []), "segment"]
        event_rows = [{**row, "segment": ("b2b", "loyalty", "")[i % 3]} for i, row in enumerate(reader)]
    segmented = out / "events.csv"
    with open(segmented, "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields)
        writer.writeheader()
        writer.writerows(event_rows)
    build([segmented], out / "tables", catalog_path=patched)
    return out / "tables"


@pytest.fixture(scope="session")
def stocked_snapshot(stocked_tables: Path) -> Iterator[Snapshot]:
    with open_snapshot(stocked_tables) as snap:
        yield snap
