"""The runner's pieces that need no load: snapshot republishing, /proc reading, the baseline app."""

import os
import subprocess
import sys

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


def test_rss_trend_flags_growth_but_not_noise():
    from loadtests.scenarios import _trend

    steady = [(float(t), 100_000 + (t % 3) * 500) for t in range(40)]
    leaking = [(float(t), 100_000 + t * 2_000) for t in range(40)]
    assert _trend(steady)["flat"] is True
    grown = _trend(leaking)
    assert grown["flat"] is False and grown["growth_kib"] > 40_000
    assert _trend(steady[:3])["flat"] is None
