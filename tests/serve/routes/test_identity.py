"""A known customer's profile is read and written only with the shop's signature of the user id; purchases
from a browser never count as sales."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from edge.build.demo import demo_files
from edge.build.pipeline import build
from edge.events.segments import segments
from edge.identity import sign
from edge.store import open_snapshot
from tests.conftest import IDENTITY_SECRET, SERVER_KEY, as_user, user_token
from tests.serve.routes.conftest import overlay_client

PUBLIC_KEY = "public-ingest-key-0001"
PUBLIC = {"X-Skylt-Key": PUBLIC_KEY}
SERVER = {"X-Skylt-Key": SERVER_KEY}


@pytest.fixture
def client(demo_tables: Path, tmp_path: Path) -> Any:
    with overlay_client(demo_tables, tmp_path, ingest_keys=PUBLIC_KEY, server_keys=SERVER_KEY,
                        identity_secrets=f"old-identity-secret-01,{IDENTITY_SECRET}",
                        response_cache_bytes=1 << 20) as c:
        yield c


def viewed(client: TestClient, headers: dict[str, str] | None = None, **params: str) -> list[str]:
    body = client.get("/v1/recommend", params={"page": "home", "slots": "recently_viewed", "n": "50", **params},
                      headers=headers or {}).json()
    return [i["id"] for i in body["slots"][0]["items"]]


def post(client: TestClient, events: list[dict[str, Any]], headers: dict[str, str] = PUBLIC) -> dict[str, Any]:
    r = client.post("/v1/events", json={"events": events}, headers=headers)
    assert r.status_code == 200, r.text
    return r.json()


def test_a_profile_is_invisible_without_the_customers_token_and_follows_it_across_devices(client, ids):
    a, b = ids[:2]
    signed = post(client, [{"type": "view", "item": a, "user": "4711", "user_token": user_token("4711"),
                            "session": "phone"},
                           {"type": "view", "item": b, "user": "4711", "user_token": user_token("4711"),
                            "session": "phone"}])
    assert signed["accepted"] == 2 and signed["unsigned"] == []
    # The laptop: same customer, another session, the token in the header the snippet sends.
    assert viewed(client, as_user("4711"), user="4711", session="laptop") == [b, a]
    assert viewed(client, user="4711", user_token=user_token("4711")) == [b, a]  # simple clients: the query
    post_body = client.post("/v1/recommend", json={"page": "home", "slots": ["recently_viewed"], "user": "4711",
                                                   "user_token": user_token("4711")}).json()
    assert [i["id"] for i in post_body["slots"][0]["items"]] == [b, a]
    # Anyone else asking for customer 4711: no token, a forged one, another customer's, an expired one.
    forged = "v1.0." + "A" * 43
    expired = sign(IDENTITY_SECRET, "4711", int(time.time()) - 1)
    other_shop = sign("another-shops-identity-secret", "4711")
    for headers in ({}, {"X-Skylt-User-Token": forged}, as_user("4712"), {"X-Skylt-User-Token": expired},
                    {"X-Skylt-User-Token": other_shop}):
        assert viewed(client, headers, user="4711") == [], headers
        assert viewed(client, headers, user="4711", session="laptop") == []
    assert viewed(client, user="4711", user_token=user_token("4712")) == []
    rotated = sign("old-identity-secret-01", "4711")  # either secret verifies while rotating
    assert viewed(client, {"X-Skylt-User-Token": rotated}, user="4711") == [b, a]


def test_an_unsigned_user_is_answered_as_the_anonymous_request_on_its_session(client, ids):
    post(client, [{"type": "view", "item": ids[0], "user": "4711", "user_token": user_token("4711")}])
    plain = client.get("/v1/recommend", params={"page": "home", "session": "s-9"})
    unsigned = client.get("/v1/recommend", params={"page": "home", "session": "s-9", "user": "4711"})
    assert unsigned.status_code == 200
    assert unsigned.json()["slots"] == plain.json()["slots"]
    assert unsigned.headers["etag"] == plain.headers["etag"]  # the same answer: nothing of 4711 went in
    assert unsigned.headers["cache-control"] == "private, no-cache"  # a query naming a user is never shared
    # ... and never stored: the signed request with the same query string must not get the anonymous answer.
    again = client.get("/v1/recommend", params={"page": "home", "session": "s-9", "user": "4711"},
                       headers=as_user("4711"))
    assert again.headers["etag"] != plain.headers["etag"]
    assert "skylt_unverified_users_total{path=\"recommend\"} 1.0" in client.get("/metrics").text


def test_events_with_an_unsigned_user_are_stored_on_their_session_without_it(client, ids):
    a, b, c = ids[:3]
    answer = post(client, [
        {"type": "view", "item": a, "user": "4711", "session": "s-1"},                                # no token
        {"type": "view", "item": b, "user": "4711", "user_token": user_token("4712"), "session": "s-1"},  # another's
        {"type": "cart", "item": c, "user": "4711"},                         # nothing else identifies it: rejected
        {"type": "view", "item": c, "user": "4711", "user_token": user_token("4711")},
    ])
    assert answer["accepted"] == 3 and answer["unsigned"] == [0, 1]
    assert [(r["index"], r["field"]) for r in answer["rejected"]] == [(2, "session")]
    assert "user_token" in answer["rejected"][0]["detail"]
    assert viewed(client, as_user("4711"), user="4711") == [c]  # only the signed event reached the profile
    assert "skylt_unverified_users_total{path=\"events\"} 2.0" in client.get("/metrics").text


def test_a_server_key_is_trusted_without_tokens(client, ids):
    answer = post(client, [{"type": "view", "item": ids[0], "user": "4711"}], SERVER)
    assert answer["accepted"] == 1 and answer["unsigned"] == []
    assert viewed(client, as_user("4711"), user="4711") == [ids[0]]


def test_the_token_header_is_allowed_across_origins(demo_tables, tmp_path):
    with overlay_client(demo_tables, tmp_path, cors_origins="https://shop.example") as c:
        r = c.options("/v1/recommend", headers={"Origin": "https://shop.example",
                                                "Access-Control-Request-Method": "GET",
                                                "Access-Control-Request-Headers": "x-skylt-user-token"})
    assert r.status_code == 200
    assert "x-skylt-user-token" in r.headers["access-control-allow-headers"].lower()


def _bestseller_rank(tables: Path, item: str) -> int:
    with open_snapshot(tables) as snap:
        ranked, _ = snap.ranking("bestsellers", 0)
        order = [snap.external_id(int(i)) for i in ranked]
    return order.index(item) if item in order else len(order)


def test_purchases_sent_with_the_public_key_change_no_bestseller(client, demo_snapshot, tmp_path):
    """500 invented orders of an item nobody buys lift it near the top when the shop's server sends them, and
    leave it where it was when a browser does."""
    events, catalog = demo_files()
    baseline = tmp_path / "baseline"
    build(events, baseline, catalog_path=catalog)
    ranked, _ = demo_snapshot.ranking("bestsellers", 0)
    item = demo_snapshot.external_id(int(ranked[-1]))
    ts = int(demo_snapshot.manifest.now)
    orders = [{"type": "purchase", "item": item, "order": f"fake-{i}", "session": f"s-{i}", "ts": ts}
              for i in range(500)]
    before = _bestseller_rank(baseline, item)

    def rank_after(headers: dict[str, str], name: str) -> int:
        """Rank after the orders are posted with ``headers``, built from the base files and the whole log."""
        assert post(client, orders, headers)["accepted"] == 500
        out = tmp_path / name
        build([*events, *segments(tmp_path / "events")], out, catalog_path=catalog)
        return _bestseller_rank(out, item)

    assert rank_after(PUBLIC, "browser") == before > 100
    assert rank_after(SERVER, "server") < 10
