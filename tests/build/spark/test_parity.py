"""Parity: from the same input and `now`, both engines write the same snapshot and serve the
same slots. Real data (a month of UCI Online Retail, the OTTO sample) and a synthetic mix
of every input format and session rule."""

from __future__ import annotations

import csv
import gzip
import json
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from edge.build.importers import otto, uci
from edge.evaluate import search
from edge.evaluate import tune as tuning
from tests.conftest import DATASETS

from .parity import assert_same_answers, assert_same_snapshot, build_both, requests_for

UCI = DATASETS / "uci_online_retail" / "online_retail.csv.gz"
OTTO = DATASETS / "otto_sample" / "train_first20_sessions.jsonl"
UCI_UNTIL = "2011-01-01"  # December 2010: 40k purchase lines, baskets of 500 lines, small enough for CI


def uci_month(dest: Path) -> tuple[Path, Path]:
    """UCI Online Retail before ``UCI_UNTIL``, imported under ``dest``: (events, catalog)."""
    source = dest / "uci.csv.gz"
    with gzip.open(UCI, "rt", newline="") as src, gzip.open(source, "wt", newline="") as dst:
        rows = csv.reader(src)
        header = next(rows)
        date = header.index("InvoiceDate")
        out = csv.writer(dst)
        out.writerow(header)
        out.writerows(row for row in rows if row[date] < UCI_UNTIL)
    uci.write(source, dest / "data")
    return dest / "data" / "events.csv.gz", dest / "data" / "catalog.csv"


def _tune_fully(monkeypatch: pytest.MonkeyPatch, *, least: int | None = None) -> None:
    """Both engines search to the end (no clock decides), taking every step that gains more cases
    than it loses (so the search moves and its choices are compared), from ``least`` cases."""
    monkeypatch.setattr(tuning, "MIN_BUDGET", 600.0)
    monkeypatch.setattr(search, "Z", 0.0)
    if least is not None:
        monkeypatch.setattr(tuning, "MIN_CASES", least)


@pytest.mark.skipif(not UCI.exists(), reason="UCI Online Retail not available")
def test_uci_one_month(spark: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Tuned, too: a month holds enough window orders (some of more than 30 lines) to search the
    basket family on a sample of 1,500 cases."""
    _tune_fully(monkeypatch)
    events, catalog = uci_month(tmp_path)
    single, on_spark = build_both(spark, [events], catalog, tmp_path / "tables", tune=True)
    assert single.manifest.n_events > 35_000 and single.manifest.counts["nnz_bought_together"] > 10_000
    tuned = single.manifest.tune
    assert tuned is not None and tuned.validation["basket_cases"] == tuning.MAX_CASES and tuned.weights["cart"]
    assert_same_snapshot(single, on_spark)
    assert_same_answers(single, on_spark, requests_for(single, 60, ["United Kingdom", "France", "Germany"]))


@pytest.mark.skipif(not OTTO.exists(), reason="OTTO sample not available")
def test_otto_sample(spark: Any, tmp_path: Path) -> None:
    otto.write(OTTO, tmp_path / "data")
    single, on_spark = build_both(spark, [tmp_path / "data" / "events.csv.gz"], None, tmp_path / "tables")
    assert single.manifest.counts["nnz_viewed_next"] > 0 and single.manifest.n_items == 510
    assert_same_snapshot(single, on_spark)
    assert_same_answers(single, on_spark, requests_for(single, 40))


def _mixed_events(seed: int) -> list[dict[str, Any]]:
    """Events that use every session rule: session ids, orders without sessions, users split at
    30-minute gaps; ties in time, browser-reported purchases, fractional quantities, items only
    seen in events (with prices whose median has two middles), regions and segments."""
    rng = np.random.default_rng(seed)
    kinds = ["view", "view", "click", "cart", "purchase", "remove"]
    now = 1_700_000_000
    rows: list[dict[str, Any]] = []
    for g in range(150):
        rule = g % 3
        start = now - int(rng.integers(0, 40)) * 86_400 - int(rng.integers(0, 3600))
        for step in range(int(rng.integers(1, 12))):
            kind = kinds[int(rng.integers(0, len(kinds)))]
            item = f"I{int(rng.zipf(1.4)) % 60:02d}"
            # Steps of 10 s, sometimes a tie, sometimes (users) a gap that starts a new session.
            ts = start + step * 10 - (10 if step and rng.random() < 0.2 else 0)
            if rule == 2 and rng.random() < 0.25:
                start += 2 * 3600
            row: dict[str, Any] = {"ts": ts, "type": kind, "item_id": item}
            if rule == 0:
                row["session_id"] = f"s{g}"
            elif rule == 1:
                row["order_id"] = f"o{g // 2}"
            row["user_id"] = f"u{g % 17}" if rule == 2 or rng.random() < 0.5 else None
            if kind == "purchase":
                row["order_id"] = row.get("order_id") or (f"o{g}" if rng.random() < 0.8 else None)
                row["quantity"] = float(rng.choice([1, 2, 0.5, 1.5, 3]))
                row["source"] = "browser" if rng.random() < 0.1 else "server"
            row["price"] = float(rng.choice([1.25, 2.5, 4.0, 9.99])) if rng.random() < 0.7 else None
            row["region"] = ["SE", "DE", "NO", None][int(rng.integers(0, 4))]
            row["segment"] = ["b2b", None, None][int(rng.integers(0, 3))]
            if not any(row.get(k) for k in ("session_id", "user_id", "order_id")):
                row["user_id"] = "u-lonely"
            rows.append(row)
    return rows


def test_mixed_formats_and_session_rules(spark: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Tuned on a window too small for the defaults' threshold (``MIN_CASES`` lowered): the next-item family."""
    _tune_fully(monkeypatch, least=30)
    rows = _mixed_events(7)
    third = len(rows) // 3
    columns = ["ts", "type", "item_id", "session_id", "user_id", "order_id", "quantity", "price", "region",
               "segment", "source"]
    csv_path, jsonl_path, parquet_path = tmp_path / "a.csv", tmp_path / "b.jsonl.gz", tmp_path / "c.parquet"
    with open(csv_path, "w", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(columns)
        out.writerows([["" if r.get(c) is None else r[c] for c in columns] for r in rows[:third]])
    with gzip.open(jsonl_path, "wt") as fh:
        for r in rows[third:2 * third]:
            r = {**r, "ts": f"{r['ts'] * 1000}"} if r["ts"] % 2 else r  # Unix ms as text, too
            fh.write(json.dumps({k: v for k, v in r.items() if v is not None}) + "\n")
    pq.write_table(pa.table({c: [r.get(c) for r in rows[2 * third:]] for c in columns}), parquet_path)
    catalog = tmp_path / "catalog.csv"
    catalog.write_text("item_id,title,price,category,brand,in_stock\n"
                       "I01,Blue mug,4.5,Kitchen > Mugs,Acme,true\nI02,Red mug,5,Kitchen > Mugs,Acme,true\n"
                       "I03,\"Teapot, \"\"large\"\"\nwith lid\",25,Kitchen > Tea,Brew,false\n"  # a quoted newline
                       "I01,Blue mug large,6,Kitchen > Mugs,Acme,true\n"
                       "I05,Tea towel,3,Kitchen > Textiles,,true\n")
    single, on_spark = build_both(spark, [csv_path, jsonl_path, parquet_path], catalog, tmp_path / "tables",
                                  now=1_700_000_000 - 86_400, tune=True)
    counts = single.manifest.counts
    assert single.manifest.tune is not None and single.manifest.tune.validation["next_item_cases"] >= 30
    assert counts["events_purchase"] > 0 and counts["sessions"] > counts["orders"] > 0
    assert_same_snapshot(single, on_spark)
    assert_same_answers(single, on_spark, requests_for(single, 20, ["SE", "DE"]))
