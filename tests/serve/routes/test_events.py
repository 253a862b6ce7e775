"""POST /v1/events in-process: keys, per-event rejection, consent, limits, what lands in the log."""

import asyncio
import hmac
import json
import time

import httpx
import pytest
from starlette.testclient import TestClient

from edge.build.readers import read_events
from edge.config import Settings
from edge.events.segments import lines, segments
from edge.events.validate import EARLIEST
from edge.serve.app import create_app
from tests.conftest import assert_problem

KEY = {"X-Skylt-Key": "shop-ingest-key-0001"}


def client_for(tmp_path, **settings):
    values = {"tables": str(tmp_path / "tables"), "event_log": str(tmp_path / "events"), "poll_seconds": 3600.0,
              "ingest_keys": "other-shop-ingest-key,shop-ingest-key-0001", **settings}
    return TestClient(create_app(Settings.load(**values)), raise_server_exceptions=False)


@pytest.fixture
def client(tmp_path):
    with client_for(tmp_path) as c:
        yield c


def stored(tmp_path):
    return [row for p in segments(tmp_path / "events") for row in read_events(p).to_pylist()]


def test_ingest_is_off_until_keys_are_configured(tmp_path):
    with client_for(tmp_path, ingest_keys="") as c:
        body = assert_problem(c.post("/v1/events", json={"events": []}, headers=KEY), 503)
        assert "not configured" in body["detail"]
    assert not (tmp_path / "events").exists()


def test_a_missing_or_wrong_key_is_401_and_compared_in_constant_time(client, monkeypatch):
    calls = []

    def spy(a, b):
        calls.append((a, b))
        return hmac_compare(a, b)

    hmac_compare = hmac.compare_digest
    monkeypatch.setattr(hmac, "compare_digest", spy)
    assert_problem(client.post("/v1/events", json={"events": []}), 401, "x-skylt-key")
    assert_problem(client.post("/v1/events", json={"events": []}, headers={"X-Skylt-Key": "shop-ingest-key-000X"}), 401,
                   "x-skylt-key")
    assert calls == [(b"shop-ingest-key-000X", b"other-shop-ingest-key"),
                     (b"shop-ingest-key-000X", b"shop-ingest-key-0001")]
    assert client.post("/v1/events", json={"events": []}, headers=KEY).json() == \
        {"accepted": 0, "not_stored": 0, "rejected": [], "unsigned": []}


def test_the_key_is_read_from_the_header_only_never_the_query(client, tmp_path):
    """URLs end up in access logs and CDN caches: a key in the query string is refused, naming the header.
    A keepalive fetch sets the header and may post text/plain (what Shopify's web pixel sends)."""
    event = {"type": "view", "item": "A", "session": "s1"}
    refused = assert_problem(client.post("/v1/events?key=shop-ingest-key-0001", json={"events": [event]}), 401,
                             "x-skylt-key")
    assert "x-skylt-key header" in refused["detail"] and "query" in refused["detail"]
    assert not stored(tmp_path)
    body = client.post("/v1/events", content=json.dumps({"events": [event]}).encode(),
                       headers={**KEY, "Content-Type": "text/plain;charset=UTF-8"})
    assert body.json() == {"accepted": 1, "not_stored": 0, "rejected": [], "unsigned": []}


def test_bad_events_are_rejected_one_by_one_and_the_rest_stored(client, tmp_path):
    events = [
        {"type": "view", "item": "A", "session": "s1", "ts": "2026-11-01T10:00:00Z"},
        {"type": "view", "session": "s1"},                                          # no item
        {"type": "purchase", "item": "A", "session": "s1"},                         # no order
        {"type": "click", "item": "A", "session": "s1", "slot": "similar"},         # no request_id
        {"type": "click", "item": "A", "session": "s1", "request_id": "r1"},        # no slot
        {"type": "like", "item": "A", "session": "s1"},                             # unknown type
        {"type": "view", "item": "A"},                                              # nobody
        {"type": "view", "item": "A", "session": "s1", "ip": "203.0.113.9"},        # unknown field
        {"type": "view", "item": "A", "session": "s1", "ts": "yesterday"},
        {"type": "view", "item": "A", "session": "s1", "ts": 86400},                # 1970
        {"type": "cart", "item": "   ", "session": "s1"},                           # blank id
        {"type": "cart", "item": "B", "session": "s1", "quantity": -1},
        "not an object",
        {"type": "purchase", "item": "B", "order": "o1", "user": "u1", "quantity": 2, "price": 9.5,
         "region": "SE", "segment": "b2b", "ts": 1_790_000_000_000},
        {"type": "click", "item": "C", "session": " s1 ", "request_id": "r1", "slot": "similar", "ts": 1_790_000_000},
        {"type": "remove", "item": "D", "session": "s1", "ts": "1790000000123"},
    ]
    r = client.post("/v1/events", json={"events": events}, headers=KEY)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["accepted"] == 4 and body["not_stored"] == 0
    assert [(x["index"], x["field"]) for x in body["rejected"]] == [
        (1, "item"), (2, "order"), (3, "request_id"), (4, "slot"), (5, "type"), (6, "session"), (7, "ip"), (8, "ts"),
        (9, "ts"), (10, "item"), (11, "quantity"), (12, None)]
    assert all(x["detail"] for x in body["rejected"])
    assert body["unsigned"] == [13]  # a public key's user without a token: stored on its order, without the user
    logged = [json.loads(line) for line in lines(segments(tmp_path / "events"))]
    assert [(r["ts"], r["item_id"], r.get("session_id"), r.get("user_id"), r.get("order_id")) for r in logged] == [
        (1793527200, "A", "s1", None, None), (1_790_000_000, "B", None, None, "o1"),
        (1_790_000_000, "C", "s1", None, None), (1_790_000_000, "D", "s1", None, None)]
    purchase = logged[1]
    assert (purchase["quantity"], purchase["price"], purchase["region"], purchase["segment"]) == (2.0, 9.5, "SE", "b2b")
    assert purchase["source"] == "browser"  # a browser's purchase: kept for attribution, never counted
    rows = stored(tmp_path)
    assert [r["item_id"] for r in rows] == ["A", "C", "D"]
    assert rows[0]["quantity"] == 1.0  # the builder's default


def test_the_log_holds_the_event_fields_only(client, tmp_path):
    before = time.time()
    r = client.post("/v1/events", json={"events": [{"type": "click", "item": "A", "session": "s", "request_id": "r9",
                                                      "slot": "upsell"}]}, headers=KEY)
    assert r.json()["accepted"] == 1
    [raw] = list(lines(segments(tmp_path / "events")))
    assert b"testclient" not in raw  # the client address is never written
    obj = json.loads(raw)
    assert set(obj) == {"ts", "type", "item_id", "session_id", "request_id", "slot"}
    assert EARLIEST < before - 1 <= obj["ts"] <= time.time()


def test_consent_false_is_counted_not_stored(client, tmp_path):
    events = [{"type": "view", "item": "A", "session": "s", "consent": False},
              {"type": "view", "item": "B", "session": "s", "consent": True},
              {"type": "view", "item": "C", "session": "s"}]
    assert client.post("/v1/events", json={"events": events}, headers=KEY).json() == \
        {"accepted": 2, "not_stored": 1, "rejected": [], "unsigned": []}
    assert [r["item_id"] for r in stored(tmp_path)] == ["B", "C"]
    only_refused = [{"type": "view", "item": "A", "session": "s", "consent": False}]
    assert client.post("/v1/events", json={"events": only_refused}, headers=KEY).json()["not_stored"] == 1
    assert len(stored(tmp_path)) == 2


def test_malformed_bodies(client):
    assert_problem(client.post("/v1/events", content=b"{nope", headers=KEY), 400)
    assert_problem(client.post("/v1/events", json=[1, 2], headers=KEY), 422, "events")
    assert_problem(client.post("/v1/events", json={"event": []}, headers=KEY), 422, "events")
    assert_problem(client.post("/v1/events", json={"events": {"type": "view"}}, headers=KEY), 422, "events")
    assert_problem(client.get("/v1/events", headers=KEY), 405)


def test_too_many_events_or_bytes_is_413(tmp_path):
    event = {"type": "view", "item": "A", "session": "s"}
    with client_for(tmp_path, max_ingest_bytes=30_000) as c:
        assert_problem(c.post("/v1/events", json={"events": [event] * 501}, headers=KEY), 413, "events")
        assert c.post("/v1/events", json={"events": [event] * 500}, headers=KEY).json()["accepted"] == 500
        big = {"events": [{**event, "item": "x" * 120}] * 300}
        assert_problem(c.post("/v1/events", json=big, headers=KEY), 413)
    assert len(stored(tmp_path)) == 500


def test_metrics_count_accepted_and_rejected(client):
    events = [{"type": "view", "item": "A", "session": "s"}, {"type": "view"}, {"type": "view", "item": "B",
                                                                                 "session": "s"}]
    client.post("/v1/events", json={"events": events}, headers=KEY)
    text = client.get("/metrics").text
    assert "skylt_events_accepted_total 2.0" in text
    assert "skylt_events_rejected_total 1.0" in text


def test_concurrent_posts_share_group_commits(tmp_path):
    app = create_app(Settings.load(tables=str(tmp_path / "tables"), event_log=str(tmp_path / "events"),
                                   ingest_keys="shop-ingest-key-0001"))
    n = 24

    async def run() -> list[int]:
        log = app.state.event_log
        await log.start()
        try:
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://shop", headers=KEY) as client:
                responses = await asyncio.gather(*(
                    client.post("/v1/events", json={"events": [{"type": "view", "item": f"i{i}", "session": "s"}]})
                    for i in range(n)))
        finally:
            await log.stop()
        return [r.json()["accepted"] for r in responses]

    assert asyncio.run(run()) == [1] * n
    assert 1 <= app.state.event_log.fsyncs < n
    assert sorted(r["item_id"] for r in stored(tmp_path)) == sorted(f"i{i}" for i in range(n))


def test_an_event_keeps_its_tax_and_currency_and_a_bad_currency_is_rejected(client, tmp_path):
    line = {"type": "cart", "item": "A", "session": "s1", "quantity": 2, "price": 10.0, "tax": 2.5}
    r = client.post("/v1/events", json={"events": [{**line, "currency": "EUR"}, {**line, "currency": "eur"}]},
                    headers=KEY)
    assert r.json()["accepted"] == 1 and r.json()["rejected"][0]["field"] == "currency"
    [raw] = list(lines(segments(tmp_path / "events")))
    obj = json.loads(raw)
    assert obj["price"] == 10.0 and obj["tax"] == 2.5 and obj["currency"] == "EUR"
    assert [row["price"] for row in stored(tmp_path)] == [10.0]  # the builder reads the line
