"""A server with ``state_url``: profiles and the overlay come from Redis; when Redis dies, reads go on without it
(anonymous answers, counted) and writes answer 503 before acknowledging anything."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from edge.config import Settings
from edge.errors import SkyltError
from edge.events.segments import lines, segments
from edge.serve.app import create_app
from tests.conftest import IDENTITY_SECRET, as_user, assert_problem, user_token
from tests.waiting import wait_until

INGEST_KEY = "ingest-key-for-shared-tests-01"
ADMIN_KEY = "admin-key-for-shared-tests-001"


def app(demo_tables, tmp_path, url):
    return create_app(Settings.load(tables=str(demo_tables), poll_seconds=3600.0, state_url=url,
                                    ingest_keys=INGEST_KEY, admin_keys=ADMIN_KEY, identity_secrets=IDENTITY_SECRET,
                                    event_log=str(tmp_path / "events"), catalog_overlay=str(tmp_path / "overlay"),
                                    min_free_disk_bytes=0, response_cache_bytes=0))


def view(user: str, item: str) -> dict[str, object]:
    return {"events": [{"type": "view", "item": item, "session": "s1", "user": user,
                        "user_token": user_token(user)}]}


def test_without_the_store_known_customers_are_served_anonymously_and_writes_answer_503(
        demo_tables, tmp_path, redis_server):
    with TestClient(app(demo_tables, tmp_path, redis_server.url), raise_server_exceptions=False) as client:
        sent = client.post("/v1/events", json=view("alice", "85123A"), headers={"X-Skylt-Key": INGEST_KEY})
        assert sent.status_code == 200 and sent.json()["accepted"] == 1, sent.text
        known = client.get("/v1/recommend", params={"page": "home", "user": "alice"}, headers=as_user("alice"))
        anonymous = client.get("/v1/recommend", params={"page": "home", "user": "nobody"}, headers=as_user("nobody"))
        assert known.status_code == 200 and known.headers["etag"] != anonymous.headers["etag"]

        redis_server.stop()
        down = client.get("/v1/recommend", params={"page": "home", "user": "alice"}, headers=as_user("alice"))
        assert down.status_code == 200
        unknown = client.get("/v1/recommend", params={"page": "home", "user": "nobody"}, headers=as_user("nobody"))
        assert down.json()["slots"] == unknown.json()["slots"]  # answered as for a customer without a profile
        assert_problem(client.post("/v1/events", json=view("alice", "22423"), headers={"X-Skylt-Key": INGEST_KEY}),
                       503)
        assert_problem(client.put("/v1/catalog/items", json={"items": [{"id": "85123A", "in_stock": False}]},
                                  headers={"Authorization": f"Bearer {ADMIN_KEY}"}), 503)
        assert client.get("/v1/recommend", params={"page": "home"}).status_code == 200
        metrics = client.get("/metrics").text
        assert 'skylt_state_errors_total{op="read"}' in metrics
        assert 'skylt_state_errors_total{op="write"}' in metrics
    logged = b"".join(lines(segments(tmp_path / "events")))
    assert b"85123A" in logged and b"22423" not in logged  # the refused batch was not kept


def test_a_stock_change_through_one_app_hides_the_item_in_another(demo_tables, tmp_path, redis_server):
    one, two = (app(demo_tables, tmp_path / n, redis_server.url) for n in ("one", "two"))
    with TestClient(one) as first, TestClient(two) as second:
        query = {"page": "product", "item": "22423", "slots": "similar"}
        shown = [i["id"] for i in second.get("/v1/recommend", params=query).json()["slots"][0]["items"]]
        assert shown
        put = first.put("/v1/catalog/items", json={"items": [{"id": shown[0], "in_stock": False}]},
                        headers={"Authorization": f"Bearer {ADMIN_KEY}"})
        assert put.status_code == 200, put.text
        def items() -> list[str]:
            return [i["id"] for i in second.get("/v1/recommend", params=query).json()["slots"][0]["items"]]

        wait_until(lambda: shown[0] not in items(), timeout=1.0, what="the other worker hiding the item")


def test_a_state_url_that_names_no_redis_server_stops_start_up_with_one_line(demo_tables):
    with pytest.raises(SkyltError, match="setting state_url"):
        create_app(Settings.load(tables=str(demo_tables), state_url="http://127.0.0.1:6379"))


def test_a_server_started_while_the_store_is_down_serves_anonymously(demo_tables, tmp_path, redis_server):
    redis_server.stop()
    with TestClient(app(demo_tables, tmp_path, redis_server.url), raise_server_exceptions=False) as client:
        assert client.get("/readyz").status_code == 200
        known = client.get("/v1/recommend", params={"page": "home", "user": "alice"}, headers=as_user("alice"))
        assert known.status_code == 200 and known.json()["slots"]
        assert_problem(client.post("/v1/events", json=view("alice", "85123A"), headers={"X-Skylt-Key": INGEST_KEY}),
                       503)


def test_a_rule_set_put_through_one_app_is_served_by_another(demo_tables, tmp_path, redis_server):
    one, two = (app(demo_tables, tmp_path / n, redis_server.url) for n in ("one", "two"))
    with TestClient(one) as first, TestClient(two) as second:
        query = {"page": "product", "item": "22423", "slots": "similar"}
        shown = [i["id"] for i in second.get("/v1/recommend", params=query).json()["slots"][0]["items"]]
        rule = {"kind": "pin", "id": "hero", "page": "product", "item": shown[-1], "position": 1}
        put = first.put("/v1/rules", json={"rules": [rule]}, headers={"Authorization": f"Bearer {ADMIN_KEY}"})
        assert put.status_code == 200, put.text
        def pinned() -> dict[str, object] | None:
            top = second.get("/v1/recommend", params=query).json()["slots"][0]["items"][0]
            return top if top["id"] == shown[-1] else None

        top = wait_until(pinned, timeout=1.0, what="the pin served by the other app")
        assert top["reason"] == "Picked by the shop"
        listed = second.get("/v1/rules", headers={"Authorization": f"Bearer {ADMIN_KEY}"}).json()
        assert listed == {"generation": put.json()["generation"], "rules": [rule]}
