"""Against a real two-worker server: every worker reads the profiles any worker wrote, and an erasure
answered by one worker holds for all, including the segment the other worker still appends to."""

import json

import httpx
import pytest

from edge.events.segments import lines, segments
from tests.conftest import Server

pytestmark = pytest.mark.slow


def test_profiles_and_erasure_are_shared_by_every_worker(demo_tables, tmp_path):
    log_dir = tmp_path / "events"
    srv = Server(demo_tables, workers=2, env={"SKYLT_INGEST_KEYS": "workers-ingest-key-01",
                                              "SKYLT_ADMIN_KEYS": "workers-admin-key-01",
                                              "SKYLT_EVENT_LOG": str(log_dir),
                                              "SKYLT_CATALOG_OVERLAY": str(tmp_path / "overlay")})
    try:
        srv.wait_ready()
        ingest = {"X-Skylt-Key": "workers-ingest-key-01"}
        items = ["85123A", "22423", "47566"]
        # Several connections, so both workers take some of the writes.
        for i, item in enumerate(items):
            with httpx.Client(base_url=srv.url, timeout=30) as c:
                r = c.post("/v1/events", headers=ingest, json={"events": [
                    {"type": "view", "item": item, "user": "U", "session": f"s{i}"},
                    {"type": "view", "item": item, "user": "V", "session": f"v{i}"}]})
                assert r.json()["accepted"] == 2, r.text
        for _ in range(8):  # new connections land on either worker
            with httpx.Client(base_url=srv.url, timeout=30) as c:
                body = c.get("/v1/recommend", params={"page": "home", "user": "U"}).json()
            seen = next(s for s in body["slots"] if s["slot"] == "recently_viewed")
            assert [i["id"] for i in seen["items"]] == items[::-1]
        with httpx.Client(base_url=srv.url, timeout=30) as c:
            r = c.delete("/v1/users/U", headers={"Authorization": "Bearer workers-admin-key-01"})
        assert r.status_code == 200 and r.json()["events"] == 3 and r.json()["profiles"] == 1
        left = [json.loads(x) for x in lines(segments(log_dir)) if x.strip()]
        assert len(left) == 3 and len({x["user_id"] for x in left}) == 1
        for _ in range(8):
            with httpx.Client(base_url=srv.url, timeout=30) as c:
                body = c.get("/v1/recommend", params={"page": "home", "user": "U"}).json()
            assert next(s for s in body["slots"] if s["slot"] == "recently_viewed")["items"] == []
    finally:
        srv.stop()
