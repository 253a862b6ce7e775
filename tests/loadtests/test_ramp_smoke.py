"""The ramp scenario end to end on the demo snapshot, with the Python generator and short steps."""

import statistics

import pytest

from loadtests import ramp, scenarios
from loadtests.sessions import load_journeys

pytestmark = pytest.mark.slow


def test_ramp_climbs_holds_70_percent_and_holds_the_trivial_route_at_the_same_rate(demo_tables, tmp_path):
    journeys = [j for j in load_journeys() if len(j.steps) <= 5][:300]
    s = scenarios.Settings(tables=demo_tables, workdir=tmp_path, journeys=journeys, ids_file=tmp_path / "ids.txt",
                           step_seconds=1.0, max_connections=2, cache_bytes=0)
    result = ramp.ramp(s)
    assert [st["connections"] for st in result["steps"]] == [1, 2]
    assert result["best_step_rps"] == max(st["rps"] for st in result["steps"]) > 0
    assert len(result["peak_repeats"]) == ramp.PEAK_REPEATS
    assert result["max_rps"] == statistics.median([result["best_step_rps"], *result["peak_repeats"]]) > 0
    held, yardstick = result["at_70pct"], result["trivial_at_same_rate"]
    assert held["target_rps"] == pytest.approx(0.7 * result["max_rps"], abs=0.1)
    assert yardstick["target_rps"] == held["target_rps"]  # the same rate, the other server
    for h in (held, yardstick):
        assert h["failed"] == 0 and h["achieved_rps"] > 0 and h["p99_ms"] > 0
        assert h["cpu_steal"] is None or 0 <= h["cpu_steal"] <= 1
    assert result["meets_target"] == (held["on_target"] and held["p99_ms"] <= ramp.P99_TARGET_MS)
    assert held["on_target"] == (abs(held["achieved_rps"] - held["target_rps"]) <= ramp.ON_TARGET * held["target_rps"])
    assert result["cache"] is None or result["cache"]["hit"] == 0  # cache off: every answer computed
