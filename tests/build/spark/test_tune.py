"""Tuning with the Spark engine: the same validation window, cases and sample as the single-node
code, and (in ``test_parity``) the same tune section in the manifest."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from edge.build.encode import encode
from edge.build.readers import read_events
from edge.build.spark.encode import encode_df
from edge.build.spark.read import read_events_df
from edge.build.spark.tune import basket_cases_df, cutoff_df, next_item_cases_df, validation_df
from edge.evaluate import tune as tuning
from edge.evaluate.protocols import Case, cutoff

from .test_parity import _mixed_events


def _with_large_orders(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Window orders of more than 30 distinct items, whose 30 the single-node code draws from one
    generator in order, and one session of more than 30 distinct items."""
    end = max(int(r["ts"]) for r in rows)
    extra = []
    for o, size in enumerate((35, 31, 48)):
        for i in range(size):
            extra.append({"ts": end - 3600 * (3 - o) + i, "type": "purchase", "item_id": f"L{(i * 7 + o) % 64:02d}",
                          "order_id": f"big{o}", "user_id": f"u{o}", "quantity": 1.0})
    extra += [{"ts": end - 600 + i, "type": "view", "item_id": f"V{i:02d}", "session_id": "long"} for i in range(40)]
    return rows + extra


def _cases(cases: list[Case]) -> list[tuple[list[int], int]]:
    return [(c.seeds.tolist(), c.target) for c in cases]


@pytest.fixture(scope="module")
def both(spark: Any, tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Any, Any]:
    path = tmp_path_factory.mktemp("tune") / "events.jsonl"
    with open(path, "w") as fh:
        for row in _with_large_orders(_mixed_events(11)):
            fh.write(json.dumps({k: v for k, v in row.items() if v is not None}) + "\n")
    events, _ = encode([read_events(path)], None)
    encoded = encode_df(spark, read_events_df(spark, [path]), None)
    return events, encoded, encoded.events.cache()


@pytest.mark.parametrize("share", [0.8, 1.0])
def test_the_cut_is_the_single_node_cut(both: tuple[Any, Any, Any], share: float) -> None:
    events, _, ev = both
    assert cutoff_df(ev, share) == cutoff(events, share)


@pytest.mark.parametrize("limit", [25, 10_000])
def test_the_cases_and_their_sample_are_the_single_node_ones(spark: Any, both: tuple[Any, Any, Any], limit: int,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Sampled (25 of many) and whole, with orders of more than 30 items in the window."""
    monkeypatch.setattr(tuning, "MIN_CASES", 1)
    events, _, ev = both
    cut = cutoff(events, 1.0 - tuning.VALIDATION_SHARE)
    single = tuning.family_cases(events, cut, max_cases=limit)
    basket = single[tuning.BASKET]
    assert any(len(c.seeds) == 29 for c in basket) or limit < 100  # a large order was cut to 30 items
    assert _cases(basket_cases_df(spark, ev, cut, limit)) == _cases(basket)
    assert _cases(next_item_cases_df(spark, ev, cut, limit)) == _cases(single[tuning.NEXT_ITEM])
    assert len(single[tuning.NEXT_ITEM]) == min(limit, len(list(tuning.next_item_cases(events, cut))))


def test_the_validation_window_counts_the_events_before_the_cut(spark: Any, both: tuple[Any, Any, Any],
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    from edge.build.aggregate import aggregate
    from edge.build.pipeline import BuildParams

    monkeypatch.setattr(tuning, "MIN_CASES", 1)
    events, encoded, ev = both
    params = BuildParams()
    window = validation_df(spark, ev, encoded, params)
    single = tuning.single_node(events, encoded.catalog, params)
    assert (window.cut, window.has_views) == (single.cut, single.has_views)
    assert {f: _cases(c) for f, c in window.cases.items()} == {f: _cases(c) for f, c in single.cases.items()}
    a, b = window.train(), aggregate(events.take(events.ts < single.cut), len(encoded.catalog), single.cut - 1,
                                     params.window)
    assert (a.n_events, a.counts) == (b.n_events, b.counts) and 0 < a.n_events < len(events)
    # What the replay reads, scored from each engine's counts: equal to the bit.
    frames = [tuning.frame_from(x, encoded.catalog, single.cut - 1, params, lambda _: None, True) for x in (a, b)]
    for name, x in frames[1].arrays.items():
        assert x.tobytes() == frames[0].arrays[name].tobytes(), name


@pytest.mark.parametrize("flag", [[], ["--no-tune"]])
def test_the_cli_tunes_on_spark_unless_told_not_to(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   flag: list[str]) -> None:
    from types import SimpleNamespace

    from click.testing import CliRunner

    from edge.build.spark import build as spark_build
    from edge.cli import main

    asked: list[bool] = []

    def recorded(*_args: Any, tune: bool = False, **_kwargs: Any) -> Any:
        asked.append(tune)
        manifest = SimpleNamespace(version="v", n_items=0, n_events=0, counts={}, tune=None)
        return SimpleNamespace(path=tmp_path, manifest=manifest, seconds=0.0)

    monkeypatch.setattr(spark_build, "build_spark", recorded)
    events = tmp_path / "events.csv"
    events.write_text("ts,type,item_id\n1,view,a\n")
    result = CliRunner().invoke(main, ["build", "--engine", "spark", "--events", str(events), "--out",
                                       str(tmp_path / "t"), "--quiet", *flag])
    assert result.exit_code == 0, result.output
    assert asked == [not flag]


def test_the_search_gets_the_build_time_with_the_window_jobs(monkeypatch: pytest.MonkeyPatch) -> None:
    """The window's Spark jobs count as build time: the search's budget is the build's time so far
    plus theirs (else they would spend it all), and nothing is counted without a family to search."""
    from types import SimpleNamespace

    from edge.build.spark import tune as spark_tune

    ticks = iter([100.0, 130.0])  # the window's jobs take 30 s
    monkeypatch.setattr(spark_tune, "time", SimpleNamespace(perf_counter=lambda: next(ticks)))
    window = tuning.Validation(5, {tuning.BASKET: []}, False, lambda: pytest.fail("counted for nothing"))
    monkeypatch.setattr(spark_tune, "validation_df", lambda *_args: window)
    seen: dict[str, Any] = {}

    def search(source: Any, _catalog: Any, _params: Any, budget: float, **_kwargs: Any) -> None:
        seen.update(window=source(), budget=budget)

    monkeypatch.setattr(tuning, "tune", search)
    assert spark_tune.tune_spark(Any, Any, SimpleNamespace(catalog=None), None, 12.0, lambda _step: None) is None
    assert seen == {"window": window, "budget": 42.0}
