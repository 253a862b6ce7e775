"""The runner's pieces that need no load: snapshot republishing, /proc reading, the baseline app."""

import os
import subprocess
import sys

import pytest
from starlette.testclient import TestClient

from loadtests import procfs, swapper
from loadtests.trivial_app import create_app


def test_republish_repoints_current_to_a_complete_copy_and_prunes_old_copies(tmp_path):
    tables = tmp_path / "tables"
    (tables / "v1").mkdir(parents=True)
    (tables / "v1" / "data.mdb").write_bytes(b"snapshot")
    os.symlink("v1", tables / "current")
    root = swapper.private_copy(tables, tmp_path / "copy")
    assert os.readlink(root / "current") == "v1"
    published = []
    for n in range(1, swapper.KEEP + 3):
        published.append(swapper.republish(root, n))
        swapper.prune(root, published)
    assert os.readlink(root / "current") == published[-1] == f"v1-swap{swapper.KEEP + 2:03d}"
    assert (root / published[-1] / "data.mdb").read_bytes() == b"snapshot"
    assert sorted(p.name for p in root.iterdir()) == sorted(["current", "v1", *published[-swapper.KEEP:]])
    assert os.readlink(tables / "current") == "v1"  # the original is never touched


def test_procfs_finds_children_and_their_rss():
    # Not a wait: a child that idles (until killed) is the process under observation.
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        assert child.pid in procfs.descendants(os.getpid())
        assert procfs.parent_of(child.pid) == os.getpid()
        rss = procfs.rss_kib(os.getpid())
        assert rss is not None and rss > 1000
        assert "time.sleep" in procfs.cmdline(child.pid)
    finally:
        child.kill()
        child.wait()
    assert procfs.rss_kib(child.pid) is None


def test_running_and_group_running_follow_a_process_group_until_it_exits():
    # Not a wait: an idle group leader (until killed) is the process under observation.
    leader = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"], start_new_session=True)
    try:
        assert procfs.running(leader.pid) and procfs.group_running(leader.pid)
        assert not procfs.group_running(os.getpgrp() + 10_000_000)  # no such group
    finally:
        leader.kill()
        leader.wait()
    assert not procfs.running(leader.pid) and not procfs.group_running(leader.pid)


def test_trivial_app_sends_the_configured_body(tmp_path, monkeypatch):
    body = tmp_path / "body.json"
    body.write_bytes(b'{"slots": []}')
    monkeypatch.setenv("SKYLT_TRIVIAL_BODY", str(body))
    with TestClient(create_app()) as client:
        r = client.get("/v1/recommend?page=product&item=1")
        assert r.status_code == 200 and r.content == b'{"slots": []}'
        assert r.headers["content-type"] == "application/json"
        assert client.post("/v1/recommend", json={"page": "home"}).content == b'{"slots": []}'
        assert client.get("/readyz").status_code == 200


def test_ratios_compare_skylt_with_each_baseline_page_by_page():
    from loadtests.scenarios import ratios

    results = {"skylt": [{"page": "product", "rps": 1000.0}, {"page": "home", "rps": 500.0}],
               "trivial": [{"page": "product", "rps": 4000.0}, {"page": "home", "rps": 0.0}]}
    assert ratios(results) == {"skylt/trivial": {"product": 0.25}}  # no nginx, no division by zero
    results["skylt-uncached"] = [{"page": "product", "rps": 400.0}]
    results["nginx"] = [{"page": "product", "rps": 8000.0}]
    assert ratios(results) == {"skylt/trivial": {"product": 0.25}, "skylt/nginx": {"product": 0.125},
                               "skylt-uncached/trivial": {"product": 0.1}, "skylt-uncached/nginx": {"product": 0.05}}


def test_rss_trend_flags_growth_but_not_noise():
    from loadtests.scenarios import _trend

    steady = [(float(t), 100_000 + (t % 3) * 500) for t in range(40)]
    leaking = [(float(t), 100_000 + t * 2_000) for t in range(40)]
    assert _trend(steady)["flat"] is True
    grown = _trend(leaking)
    assert grown["flat"] is False and grown["growth_kib"] > 40_000
    assert _trend(steady[:3])["flat"] is None
    filling = [(float(t), 100_000 + min(t, 20) * 1_000) for t in range(40)]  # a cache filling up to its bound
    assert _trend(filling)["flat"] is False
    assert _trend(filling, allowance_kib=16_000)["flat"] is True
    assert _trend(leaking, allowance_kib=16_000)["flat"] is False


def test_the_cache_warm_up_runs_until_a_run_adds_no_miss_and_is_bounded(monkeypatch, tmp_path):
    from loadtests import cachestats, scenarios, wrkrun

    def fake(misses_per_run):
        state = {"miss": 0.0, "runs": 0}

        def run(*args, **kwargs):
            state["miss"] += misses_per_run[min(state["runs"], len(misses_per_run) - 1)]
            state["runs"] += 1
            return {}

        monkeypatch.setattr(wrkrun, "run", run)
        monkeypatch.setattr(cachestats, "counts", lambda url: {"hit": 0.0, "miss": state["miss"], "bypass": 0.0})

    s = scenarios.Settings(tables=tmp_path, workdir=tmp_path, journeys=[], ids_file=tmp_path / "ids.txt")
    fake([700, 300, 0])
    assert scenarios.warm_cache("http://x", s, "product", 32) == {"runs": 3, "misses": 1000}
    fake([50])  # a cache too small for the script's URLs never warms: the tries are bounded
    assert scenarios.warm_cache("http://x", s, "product", 32) == {"runs": scenarios.WARM_TRIES,
                                                                  "misses": 50 * scenarios.WARM_TRIES}


def test_steal_share_is_the_stolen_part_of_all_cpu_time_between_two_readings():
    before = dict.fromkeys(procfs.CPU_FIELDS, 100)
    after = {**before, "user": 160, "idle": 130, "steal": 110}
    assert procfs.steal_share(before, after) == pytest.approx(10 / 100)
    assert procfs.steal_share(before, before) is None  # no time passed
    assert procfs.steal_share({}, {}) is None  # no /proc/stat


def test_cpu_ticks_read_this_machine_and_only_grow():
    first = procfs.cpu_ticks()
    assert set(first) >= {"user", "system", "idle"}
    sum(i * i for i in range(2_000_000))  # burn some CPU time
    second = procfs.cpu_ticks()
    assert all(second[k] >= first[k] for k in first) and sum(second.values()) > sum(first.values())
    share = procfs.steal_share(first, second)
    assert share is None or 0 <= share <= 1


def test_a_wrk_hold_never_calibrates_past_the_highest_level(monkeypatch, tmp_path):
    from loadtests import ramp, scenarios, wrkrun

    used: list[int] = []

    def saturated(url, page, ids_file, *, seconds, connections, delay_ms):  # a server stuck at 1,000 requests/s
        used.append(connections)
        return {"rps": 1000.0, "latency_ms": {"99": 5.0}, "failed": 0}

    monkeypatch.setattr(wrkrun, "run", saturated)
    s = scenarios.Settings(tables=tmp_path, workdir=tmp_path, journeys=[], ids_file=tmp_path / "ids.txt",
                           driver="wrk", max_connections=64)
    steps = [{"connections": 1, "rows": [{"page": "product", "p50_ms": 1.0}]}]
    held = ramp.hold("http://x", s, 5000.0, steps, steps[0])
    assert max(used) == held["connections"] == 64 and len(used) == ramp.CALIBRATION_TRIES
    assert not held["on_target"] and held["generator_limited"]
