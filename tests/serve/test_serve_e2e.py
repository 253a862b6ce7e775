"""End to end against a real server (uvicorn and granian) on 127.0.0.1: the contract, hot swaps under load,
refusal of a corrupt snapshot."""

import os
import threading
from collections import Counter

import httpx
import pytest

from edge.build.demo import demo_files
from edge.build.pipeline import build
from tests.conftest import Server, assert_problem
from tests.waiting import wait_until

pytestmark = pytest.mark.slow


def test_served_over_http(server, demo_snapshot):
    item = demo_snapshot.external_id(int(demo_snapshot.ranking("bestsellers", 0)[0][0]))
    with httpx.Client(base_url=server.url) as client:
        r = client.get("/v1/recommend", params={"page": "product", "item": item})
        assert r.status_code == 200
        assert r.headers["content-type"] == "application/json"
        assert [s["slot"] for s in r.json()["slots"]] == ["similar", "upsell", "alternatives", "bought_together"]
        assert_problem(client.get("/v1/recommend", params={"page": "product", "n": "500"}), 422, "n")
        assert_problem(client.post("/v1/recommend", content=b"\xff\xfe"), 400)
        assert_problem(client.delete("/v1/recommend"), 405)


def test_hot_swaps_under_load_fail_no_request(tmp_path, http_server):
    events, catalog = demo_files()
    tables = tmp_path / "tables"
    first = build(events, tables, catalog_path=catalog, now=1323400000).manifest.version
    srv = Server(tables, workers=2, server=http_server)
    stop = threading.Event()
    statuses: Counter[int] = Counter()
    versions: Counter[str] = Counter()
    errors: list[str] = []

    def hammer() -> None:
        with httpx.Client(base_url=srv.url, timeout=10) as client:
            while not stop.is_set():
                try:
                    r = client.get("/v1/recommend", params={"page": "home", "history": "85123A,22423"})
                    statuses[r.status_code] += 1
                    versions[r.json()["version"]] += 1
                except Exception as exc:  # any transport error is a failed request
                    errors.append(repr(exc))

    try:
        srv.wait_ready()
        threads = [threading.Thread(target=hammer) for _ in range(4)]
        for t in threads:
            t.start()
        built = [first]
        for step in range(1, 4):
            built.append(build(events, tables, catalog_path=catalog, now=1323400000 + step * 3600).manifest.version)
            wait_until(lambda: versions[built[-1]] >= 20, timeout=30, what=f"answers from {built[-1]}")

        # A corrupt snapshot is refused and the last good one keeps serving.
        bad = tables / "29991231T000000000000Z-corrupt"
        bad.mkdir()
        (bad / "data.mdb").write_bytes(os.urandom(1 << 16))
        os.symlink(bad.name, tables / ".current.bad")
        os.replace(tables / ".current.bad", tables / "current")
        refusal = "refusing snapshot 29991231T000000000000Z-corrupt"
        wait_until(lambda: srv.log.read_text().count(refusal) == 2, timeout=30, what="both workers refusing it")
        before = sum(versions.values())
        wait_until(lambda: sum(versions.values()) > before + 20, timeout=30, what="answers after the refusal")
        stop.set()
        for t in threads:
            t.join()
    finally:
        stop.set()
        srv.stop()

    assert errors == []
    assert set(statuses) == {200}, statuses
    assert all(versions[v] > 0 for v in built[1:]), versions
    assert sum(versions.values()) > before  # still answering after the corrupt link
    log = srv.log.read_text()
    assert "refusing snapshot 29991231T000000000000Z-corrupt" in log


def test_sighup_loads_a_new_snapshot_at_once(tmp_path, http_server):
    import signal

    events, catalog = demo_files()
    tables = tmp_path / "tables"
    first = build(events, tables, catalog_path=catalog, now=1323400000).manifest.version
    srv = Server(tables, env={"SKYLT_POLL_SECONDS": "3600"}, server=http_server)  # polling would not notice for an hour
    try:
        srv.wait_ready()
        assert httpx.get(f"{srv.url}/readyz").json()["version"] == first
        second = build(events, tables, catalog_path=catalog, now=1323500000).manifest.version
        srv.proc.send_signal(signal.SIGHUP)
        wait_until(lambda: httpx.get(f"{srv.url}/readyz").json()["version"] == second, timeout=30,
                   what="the new snapshot after SIGHUP")
        assert srv.proc.poll() is None  # SIGHUP reloads, it does not stop the server
    finally:
        srv.stop()
