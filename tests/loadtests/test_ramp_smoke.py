"""The ramp scenario end to end on the demo snapshot, with the Python generator and short steps."""

import statistics

import pytest

from loadtests import ramp, runner, scenarios
from loadtests.sessions import load_journeys

pytestmark = pytest.mark.slow


def test_ramp_measures_the_throughput_ratios_and_alternating_holds_at_70_percent(demo_tables, tmp_path):
    journeys = [j for j in load_journeys() if len(j.steps) <= 5][:300]
    s = scenarios.Settings(tables=demo_tables, workdir=tmp_path, journeys=journeys, ids_file=tmp_path / "ids.txt",
                           step_seconds=0.5, max_connections=2, connections=2, cache_bytes=0)
    result = ramp.ramp(s)
    rates = result["throughput"]
    assert len(rates["runs"]) == ramp.THROUGHPUT_RUNS
    for name in ("skylt", "skylt-uvicorn", "trivial"):
        assert rates["rps"][name] == statistics.median(run[name] for run in rates["runs"]) > 0
    assert rates["ratios"]["skylt"] == pytest.approx(rates["rps"]["skylt"] / rates["rps"]["trivial"], abs=1e-3)
    assert rates["meets_target"] == (rates["ratios"]["skylt"] >= ramp.THROUGHPUT_TARGET)
    assert result["server"] in ("granian", "uvicorn")

    assert [st["connections"] for st in result["steps"]] == [1, 2]
    assert result["best_step_rps"] == max(st["rps"] for st in result["steps"]) > 0
    assert len(result["peak_repeats"]) == ramp.PEAK_REPEATS
    assert result["max_rps"] == statistics.median([result["best_step_rps"], *result["peak_repeats"]]) > 0
    assert result["target_rps"] == pytest.approx(0.7 * result["max_rps"], abs=0.1)
    for name in ("skylt", "trivial"):
        holds = result["holds"][name]
        assert len(holds) == ramp.HOLDS >= 3  # the median of at least three
        for h in holds:
            assert h["target_rps"] == result["target_rps"]  # the same rate on both servers
            assert h["failed"] == 0 and h["achieved_rps"] > 0 and h["p99_ms"] > 0
            assert h["cpu_steal"] is None or 0 <= h["cpu_steal"] <= 1
            assert h["on_target"] == (abs(h["achieved_rps"] - h["target_rps"]) <= ramp.ON_TARGET * h["target_rps"])
        assert result["p99_ms"][name] == statistics.median(h["p99_ms"] for h in holds)
    assert result["p99_ratio"] == round(result["p99_ms"]["skylt"] / result["p99_ms"]["trivial"], 2)
    assert result["meets_target"] == (result["p99_ratio"] <= ramp.P99_RATIO_TARGET and all(
        h["on_target"] for holds in result["holds"].values() for h in holds))
    assert result["cache"] is None or result["cache"]["hit"] == 0  # cache off: every answer computed
    assert "skylt on uvicorn / trivial" in runner.ramp_summary(result)
