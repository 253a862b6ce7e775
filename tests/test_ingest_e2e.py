"""Durability against a real server: every event acknowledged with 200 survives kill -9."""

import threading

import httpx
import pytest

from edge.build.readers import read_events
from edge.events.segments import segments, stable_segments
from tests.conftest import Server
from tests.waiting import wait_until

pytestmark = pytest.mark.slow

BATCH = 50
KILL_AFTER = 3000  # acknowledged events before the kill; posting goes on until the process dies


def stored_items(log_dir, scratch) -> list[str]:
    scratch.mkdir(exist_ok=True)
    view = stable_segments(log_dir, scratch)
    return [item for path in view.paths for item in read_events(path)["item_id"].to_pylist()]


def test_acknowledged_events_survive_kill_9_and_a_restart_starts_a_new_segment(demo_tables, tmp_path, http_server):
    log_dir = tmp_path / "events"
    env = {"SKYLT_INGEST_KEYS": "e2e-ingest-key-0001", "SKYLT_EVENT_LOG": str(log_dir)}
    headers = {"X-Skylt-Key": "e2e-ingest-key-0001"}
    srv = Server(demo_tables, env=env, server=http_server)
    lock = threading.Lock()
    acked: list[str] = []
    sent: set[str] = set()
    problems: list[str] = []

    def post(worker: int) -> None:
        n = 0
        with httpx.Client(base_url=srv.url, timeout=30, headers=headers) as client:
            while True:
                ids = [f"w{worker}-{n + i}" for i in range(BATCH)]
                n += BATCH
                with lock:
                    sent.update(ids)
                batch = [{"type": "view", "item": item, "session": f"s{worker}"} for item in ids]
                try:
                    r = client.post("/v1/events", json={"events": batch})
                except httpx.TransportError:
                    return  # the server is gone; this batch was never acknowledged
                if r.status_code != 200 or r.json()["accepted"] != BATCH:
                    problems.append(f"{r.status_code} {r.text[:200]}")
                    return
                with lock:
                    acked.extend(ids)

    try:
        srv.wait_ready()
        threads = [threading.Thread(target=post, args=(w,)) for w in range(6)]
        for t in threads:
            t.start()
        # A guard against a hang, not a performance bound.
        wait_until(lambda: len(acked) >= KILL_AFTER or problems, timeout=120, what=f"{KILL_AFTER} acknowledged")
        srv.kill()  # SIGKILL mid-stream: no shutdown, no flush
        for t in threads:
            t.join()
    finally:
        srv.stop()
    assert not problems, problems[:3]
    assert len(acked) >= KILL_AFTER

    items = stored_items(log_dir, tmp_path / "scratch1")
    assert set(acked) <= set(items), f"{len(set(acked) - set(items))} acknowledged events lost"
    assert set(items) <= sent and len(items) == len(set(items))
    before = {p.name: p.read_bytes() for p in segments(log_dir)}

    again = Server(demo_tables, env=env, server=http_server)
    try:
        again.wait_ready()
        r = httpx.post(f"{again.url}/v1/events", headers=headers,
                       json={"events": [{"type": "view", "item": "after-restart", "session": "s"}]})
        assert r.status_code == 200 and r.json()["accepted"] == 1
        pids = again.pids()
    finally:
        again.stop()
    after = {p.name: p.read_bytes() for p in segments(log_dir)}
    new = set(after) - set(before)
    assert len(new) == 1 and any(f"-{pid}-" in next(iter(new)) for pid in pids)  # written by a worker
    assert {name: after[name] for name in before} == before  # the crashed segment is never appended to
    assert "after-restart" in stored_items(log_dir, tmp_path / "scratch2")
