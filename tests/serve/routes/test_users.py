"""Known customers across devices and DELETE /v1/users/{id}: profile and every stored event erased."""

import json
import os

import pytest
from starlette.testclient import TestClient

from edge.build.readers import read_events
from edge.config import Settings
from edge.events.erase import erase_user
from edge.events.segments import IMPRESSIONS, lines, segments
from edge.profiles.salt import hash_id, load_salt
from edge.serve.app import create_app
from tests.conftest import IDENTITY_SECRET, SERVER_KEY, as_user, assert_problem

# Profiles are written by trusted events here; tests/serve/routes/test_identity.py covers public keys and tokens.
INGEST = {"X-Skylt-Key": SERVER_KEY}
ADMIN = {"Authorization": "Bearer admin-secret-key-0001"}


def client_for(tmp_path, tables, **settings):
    values = {"tables": str(tables), "event_log": str(tmp_path / "events"), "poll_seconds": 3600.0,
              "ingest_keys": "shop-ingest-key-0001", "admin_keys": "admin-secret-key-0001", "server_keys": SERVER_KEY,
              "identity_secrets": IDENTITY_SECRET,
              "catalog_overlay": str(tmp_path / "overlay"), **settings}
    return TestClient(create_app(Settings.load(**values)), raise_server_exceptions=False)


@pytest.fixture
def client(tmp_path, demo_tables):
    with client_for(tmp_path, demo_tables) as c:
        yield c


def items(client, n=12):
    body = client.get("/v1/recommend", params={"page": "home", "slots": "bestsellers", "n": n}).json()
    return [i["id"] for i in body["slots"][0]["items"]]


def rows(tmp_path, prefix="events-"):
    return [json.loads(line) for line in lines(segments(tmp_path / "events", prefix)) if line.strip()]


def post(client, events):
    r = client.post("/v1/events", json={"events": events}, headers=INGEST)
    assert r.status_code == 200 and not r.json()["rejected"], r.text
    return r.json()


def recommend(client, params, **headers):
    """GET /v1/recommend, signed as the snippet signs it when ``params`` name a user."""
    if "user" in params:
        headers = as_user(params["user"], **headers)
    return client.get("/v1/recommend", params=params, headers=headers)


def slot(body, name):
    return [(i["id"], i["reason"]) for i in next(s for s in body["slots"] if s["slot"] == name)["items"]]


def test_a_known_customer_gets_the_same_answer_on_another_device(client):
    a, b, c, d, e, f = items(client)[:6]
    post(client, [{"type": "view", "item": a, "user": "U", "session": "phone"},
                  {"type": "view", "item": b, "user": "U", "session": "phone"},
                  {"type": "cart", "item": c, "user": "U", "session": "phone"},
                  {"type": "cart", "item": d, "user": "U", "session": "phone"},
                  {"type": "remove", "item": d, "user": "U", "session": "phone"},
                  {"type": "purchase", "item": e, "order": "o1", "user": "U"},
                  {"type": "view", "item": f, "user": "U", "session": "phone", "consent": False}])
    laptop = recommend(client, {"page": "home", "user": "U"})
    explicit = client.get("/v1/recommend", params={"page": "home", "history": f"{a},{b}", "cart": c,
                                                   "purchased": e})
    assert slot(laptop.json(), "for_you") == slot(explicit.json(), "for_you")
    assert [i for i, _ in slot(laptop.json(), "recently_viewed")] == [b, a]  # the consent:false view is not kept
    cart = recommend(client, {"page": "cart", "user": "U"}).json()
    explicit_cart = client.get("/v1/recommend", params={"page": "cart", "history": f"{a},{b}", "cart": c,
                                                        "purchased": e}).json()
    assert slot(cart, "reminders") == slot(explicit_cart, "reminders") and slot(cart, "reminders")
    assert laptop.headers["cache-control"] == "private, no-cache"
    stranger = recommend(client, {"page": "home", "user": "someone-else"}).json()
    assert slot(stranger, "recently_viewed") == []


def test_a_profile_change_changes_the_etag(client):
    a, b = items(client)[:2]
    post(client, [{"type": "view", "item": a, "user": "U"}])
    first = recommend(client, {"page": "home", "user": "U"})
    assert recommend(client, {"page": "home", "user": "U"},
                     **{"If-None-Match": first.headers["etag"]}).status_code == 304
    post(client, [{"type": "view", "item": b, "user": "U"}])
    second = recommend(client, {"page": "home", "user": "U"}, **{"If-None-Match": first.headers["etag"]})
    assert second.status_code == 200 and second.headers["etag"] != first.headers["etag"]


def test_user_ids_are_stored_hashed_with_the_install_salt(client, tmp_path):
    post(client, [{"type": "view", "item": "85123A", "user": " alice@example.com ", "session": "s1"},
                  {"type": "impression", "request_id": "r1", "slot": "for_you", "page": "home",
                   "bucket": "personalized", "items": ["85123A"], "user": "alice@example.com"}])
    salt = load_salt(tmp_path / "events" / "profiles")
    assert [r["user_id"] for r in rows(tmp_path)] == [hash_id(salt, "alice@example.com")]
    assert [r["user_id"] for r in rows(tmp_path, IMPRESSIONS)] == [hash_id(salt, "alice@example.com")]
    assert not any(b"alice" in p.read_bytes() for p in (tmp_path / "events").rglob("*") if p.is_file())


def test_delete_erases_the_profile_and_every_event_of_that_user_only(client, tmp_path):
    a, b, c = items(client)[:3]
    post(client, [{"type": "view", "item": a, "user": "U", "session": "sU"},
                  {"type": "view", "item": b, "session": "sU"},  # before login, same browser
                  {"type": "view", "item": a, "user": "V", "session": "sV"},
                  {"type": "impression", "request_id": "r1", "slot": "for_you", "items": [a], "user": "U"}])
    client.app.state.event_log._close()  # rotate the open segment, so both ways of erasing are exercised
    client.app.state.event_log.current = None
    post(client, [{"type": "cart", "item": c, "user": "U"}, {"type": "purchase", "item": c, "order": "o9",
                                                          "user": "V"}])
    assert len(segments(tmp_path / "events")) == 2
    r = client.delete("/v1/users/U", headers=ADMIN)
    assert r.status_code == 200, r.text
    assert r.json() == {"profiles": 1, "events": 3, "impressions": 1, "segments": 3, "orders": 0,
                        "archived": 0, "notify": 0}
    salt = load_salt(tmp_path / "events" / "profiles")
    u, v = hash_id(salt, "U"), hash_id(salt, "V")
    left = rows(tmp_path)
    assert [(x["user_id"], x["type"]) for x in left] == [(v, "view"), (v, "purchase")]
    assert not any(x.get("session_id") == "sU" for x in left)
    assert rows(tmp_path, IMPRESSIONS) == []
    assert client.app.state.profiles.get(u) is None and client.app.state.profiles.get(v) is not None
    home = recommend(client, {"page": "home", "user": "U"}).json()
    assert slot(home, "recently_viewed") == []
    # The open segment was blanked in place, and the writer keeps appending to it.
    post(client, [{"type": "view", "item": a, "user": "V"}])
    assert len(rows(tmp_path)) == 3
    # The builder's reader takes the rewritten and the blanked segments as they are.
    built = [r for p in segments(tmp_path / "events") for r in read_events(p).to_pylist()]
    assert [(r["item_id"], r["user_id"]) for r in built] == [(a, v), (c, v), (a, v)]
    again = client.delete("/v1/users/U", headers=ADMIN)
    assert again.json() == {"profiles": 0, "events": 0, "impressions": 0, "segments": 0, "orders": 0,
                             "archived": 0, "notify": 0}
    assert client.delete("/v1/users/never-seen", headers=ADMIN).json()["events"] == 0


def test_delete_needs_the_admin_key(client):
    assert_problem(client.delete("/v1/users/U"), 401, "authorization")
    assert_problem(client.delete("/v1/users/U", headers={"Authorization": "Bearer shop-ingest-key-0001"}), 401,
                   "authorization")
    assert_problem(client.delete("/v1/users/%20", headers=ADMIN), 422, "id")


def test_closed_segments_are_rewritten_whole_and_torn_tails_kept(tmp_path):
    folder = tmp_path / "log"
    folder.mkdir()
    old = folder / "events-20260101T000000000000Z-1-000001.jsonl"
    new = folder / "events-20260102T000000000000Z-1-000002.jsonl"
    old.write_bytes(b'{"user_id":"h1","item_id":"A"}\n{"user_id":"h2","item_id":"B"}\n{"user_id":"h1"')
    new.write_bytes(b'{"user_id":"h1","item_id":"C"}\n')
    for path in (old, new):
        os.utime(path, (1_700_000_000, 1_700_000_000))
    done = erase_user(folder, "h1")
    assert (done.events, done.segments_rewritten, done.segments_blanked) == (2, 1, 1)
    assert old.read_bytes() == b'{"user_id":"h2","item_id":"B"}\n{"user_id":"h1"'
    assert new.read_bytes() == b" " * 30 + b"\n"
    assert sorted(p.name for p in folder.iterdir()) == [".erase.lock", old.name, new.name]
    # Retention counts from the last append, not from the erasure.
    assert old.stat().st_mtime == new.stat().st_mtime == 1_700_000_000
