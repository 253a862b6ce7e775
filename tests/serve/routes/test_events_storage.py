"""POST /v1/events against its storage bounds: a disk under its floor and a full profile store answer 503
before anything is stored or acknowledged, and every acknowledged event stays in the log; an expired
profile is not served; GET /v1/recommend reads it as gone."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from edge.config import Settings
from edge.events.segments import lines, segments
from edge.profiles.store import ProfileStore
from edge.serve.app import create_app
from tests.conftest import IDENTITY_SECRET, SERVER_KEY, as_user, assert_problem

INGEST_KEY = "bounded-ingest-key-0001"
ADMIN_KEY = "bounded-admin-key-00001"
# Events that name a user come from the shop's server here (trusted, no user tokens needed).
USER_HEADERS = {"X-Skylt-Key": SERVER_KEY}
LONG = [f"item-{j:0100d}" for j in range(50)]  # ids of the longest kind: a few KB per profile


def client_for(tables, tmp_path, **settings) -> TestClient:
    values = {"tables": str(tables), "event_log": str(tmp_path / "events"), "poll_seconds": 3600.0,
              "catalog_overlay": str(tmp_path / "overlay"), "ingest_keys": INGEST_KEY, "admin_keys": ADMIN_KEY,
              "server_keys": SERVER_KEY, "identity_secrets": IDENTITY_SECRET, **settings}
    return TestClient(create_app(Settings.load(**values)), raise_server_exceptions=False)


def logged(tmp_path) -> list[dict[str, object]]:
    return [json.loads(x) for x in lines(segments(tmp_path / "events")) if x.strip()]


def views(user: str | None, items: list[str], session: str = "s1") -> list[dict[str, object]]:
    return [{"type": "view", "item": item, "session": session, **({"user": user} if user else {})}
            for item in items]


def post(client: TestClient, events: list[dict[str, object]]):
    return client.post("/v1/events", json={"events": events}, headers=USER_HEADERS)


@contextlib.contextmanager
def small_store(client: TestClient, tmp_path, **kwargs) -> Iterator[ProfileStore]:
    """The app's profile store swapped for one with a 1 MiB map, which a test can fill in a moment (the
    app's own stays open meanwhile: its sweep task may be using it)."""
    own = client.app.state.profiles
    store = ProfileStore(tmp_path / "small-profiles", map_size=1 << 20, **kwargs)
    client.app.state.profiles = store
    try:
        yield store
    finally:
        client.app.state.profiles = own
        store.close()


def test_a_disk_under_its_floor_answers_503_before_anything_is_stored(demo_tables, tmp_path):
    # A floor above any real disk's free space: the real statvfs path says "below".
    with client_for(demo_tables, tmp_path, min_free_disk_bytes=1 << 62) as client:
        r = post(client, views("U", ["85123A"]) + views(None, ["22423"], "s2"))
        body = assert_problem(r, 503)
        assert body["type"].endswith("/storage-full") and "min_free_disk_bytes" in body["detail"]
        assert logged(tmp_path) == [] and client.app.state.profiles.count() == 0
        client.app.state.disk_floor.min_free = 1 << 20  # space freed: the client's retry is stored
        assert post(client, views("U", ["85123A"])).json()["accepted"] == 1
        assert len(logged(tmp_path)) == 1


def test_a_full_profile_store_answers_503_and_nothing_acknowledged_is_lost(demo_tables, tmp_path):
    with client_for(demo_tables, tmp_path) as client, small_store(client, tmp_path) as store:
        acknowledged = 0
        for n in range(1000):  # bounded: the map holds about a hundred such profiles
            r = post(client, views(f"user-{n}", LONG))
            if r.status_code != 200:
                break
            acknowledged += r.json()["accepted"]
        assert_problem(r, 503)
        assert r.json()["type"].endswith("/storage-full")
        refused = store.key(f"user-{n}")
        assert 50 * 50 < acknowledged == len(logged(tmp_path))  # every acknowledged event is in the log
        assert not any(e.get("user_id") == refused for e in logged(tmp_path)) and store.get(refused) is None
        # Events without a user write no profile: still accepted.
        assert post(client, views(None, ["85123A"], "anon")).json()["accepted"] == 1
        assert len(logged(tmp_path)) == acknowledged + 1


def test_a_profile_write_that_overflows_the_map_after_the_check_stores_nothing(demo_tables, tmp_path):
    # room=0: the check passes until the map itself is full.
    with client_for(demo_tables, tmp_path) as client, small_store(client, tmp_path, room=0) as store:
        for n in range(1000):
            r = post(client, views(f"user-{n}", LONG))
            if r.status_code != 200:
                break
        assert_problem(r, 503)
        assert store.get(store.key(f"user-{n}")) is None and store.count() == n
        assert len(logged(tmp_path)) == 50 * n  # the refused batch is not in the log


def test_an_expired_profile_is_not_served(demo_tables, tmp_path):
    with client_for(demo_tables, tmp_path, profile_ttl_days=30) as client:
        assert post(client, views("U", ["85123A", "22423"])).status_code == 200

        def recently_viewed() -> list[str]:
            body = client.get("/v1/recommend", params={"page": "home", "user": "U"}, headers=as_user("U")).json()
            return [i["id"] for s in body["slots"] if s["slot"] == "recently_viewed" for i in s["items"]]

        assert recently_viewed() == ["22423", "85123A"]
        store = client.app.state.profiles
        real = store.clock
        store.clock = lambda: real() + 30 * 86400 + 60
        assert recently_viewed() == []
        assert store.sweep() == 1 and store.count() == 0


@pytest.mark.parametrize("setting", ["max_profiles", "profile_ttl_days"])
def test_the_bounds_come_from_the_settings(demo_tables, tmp_path, setting):
    value = {"max_profiles": 7, "profile_ttl_days": 3.5}[setting]
    with client_for(demo_tables, tmp_path, **{setting: value}) as client:
        store = client.app.state.profiles
        assert (store.max_profiles if setting == "max_profiles" else store.ttl_ms / 86_400_000) == value

