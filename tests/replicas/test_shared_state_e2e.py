"""Two replicas (`skylt serve --pull`, real processes) sharing one Redis, behind Debian's nginx, all on 127.0.0.1:
a publish reaches both with no failed request under load through nginx; a profile written through one replica is
read through the other; a stock change through one hides the item on both within a second; with Redis killed both
keep answering (known customers anonymously), take new snapshots with the overrides they last read, and writes
answer 503."""

from __future__ import annotations

import threading
import time
from collections import Counter

import httpx
import pytest

from edge.build.demo import demo_files
from edge.build.pipeline import build
from edge.replicas.publish import publish
from tests.conftest import IDENTITY_SECRET, Server, as_user, user_token
from tests.nginx import Nginx
from tests.redis_server import RedisServer
from tests.waiting import wait_until

pytestmark = pytest.mark.slow

INGEST_KEY = "ingest-key-for-replica-tests-1"
ADMIN_KEY = "admin-key-for-replica-tests-01"


def reminders(client: httpx.Client, user: str) -> list[str]:
    r = client.get("/v1/recommend", params={"page": "cart", "slots": "reminders", "n": "50", "user": user},
                   headers=as_user(user))
    assert r.status_code == 200, r.text
    return [i["id"] for i in r.json()["slots"][0]["items"]]


def similar(client: httpx.Client) -> list[str]:
    r = client.get("/v1/recommend", params={"page": "product", "item": "22423", "slots": "similar"})
    assert r.status_code == 200, r.text
    return [i["id"] for i in r.json()["slots"][0]["items"]]


def until(check, seconds: float) -> float:
    """Seconds until ``check()`` held; fails after ``seconds``."""
    started = time.monotonic()
    wait_until(check, seconds)
    return time.monotonic() - started


def test_replicas_behind_nginx_share_profiles_and_stock_and_survive_the_store(tmp_path):
    events, catalog = demo_files()
    builder, store = tmp_path / "builder", tmp_path / "store"
    built = [build(events, builder, catalog_path=catalog, now=1323400000).manifest.version]
    publish(builder, str(store))
    redis = RedisServer(tmp_path / "redis")
    env = {"SKYLT_PULL_URL": str(store), "SKYLT_PULL_SECONDS": "0.3", "SKYLT_STATE_URL": redis.url,
           "SKYLT_INGEST_KEYS": INGEST_KEY, "SKYLT_ADMIN_KEYS": ADMIN_KEY, "SKYLT_IDENTITY_SECRETS": IDENTITY_SECRET,
           "SKYLT_MIN_FREE_DISK_BYTES": "0"}
    for r in (0, 1):
        (tmp_path / f"replica-{r}").mkdir()
    replicas = [Server(tmp_path / f"replica-{r}" / "tables", env=env) for r in (0, 1)]
    proxy: Nginx | None = None
    stop = threading.Event()
    statuses: Counter[int] = Counter()
    seen: dict[tuple[str, str], int] = Counter()
    errors: list[str] = []

    def hammer() -> None:
        with httpx.Client(base_url=proxy.url, timeout=10) as client:
            while not stop.is_set():
                try:
                    answer = client.get("/v1/recommend", params={"page": "home", "history": "85123A,22423"})
                    statuses[answer.status_code] += 1
                    seen[answer.headers["x-upstream"], answer.json()["version"]] += 1
                except Exception as exc:  # any transport error is a failed request
                    errors.append(repr(exc))

    try:
        for replica in replicas:
            replica.wait_ready()
        proxy = Nginx(tmp_path / "nginx", [replica.url for replica in replicas])
        proxy.wait_ready()
        upstreams = {replica.url.removeprefix("http://") for replica in replicas}

        # A publish reaches both replicas under load through nginx, and no request fails.
        threads = [threading.Thread(target=hammer) for _ in range(3)]
        for t in threads:
            t.start()
        until(lambda: all(seen[u, built[0]] >= 10 for u in upstreams), 30)
        built.append(build(events, builder, catalog_path=catalog, now=1323403600).manifest.version)
        publish(builder, str(store))
        until(lambda: all(seen[u, built[1]] >= 10 for u in upstreams), 60)
        stop.set()
        for t in threads:
            t.join()
        assert errors == [] and set(statuses) == {200}, (errors[:3], statuses)

        with httpx.Client(base_url=replicas[0].url, timeout=10) as one, \
                httpx.Client(base_url=replicas[1].url, timeout=10) as two:
            # A profile written through one replica is read through the other.
            viewed = ["85123A", "22423", "47566"]
            sent = one.post("/v1/events", headers={"X-Skylt-Key": INGEST_KEY}, json={"events": [
                {"type": "view", "item": item, "session": "phone", "user": "4711", "user_token": user_token("4711")}
                for item in viewed]})
            assert sent.status_code == 200 and sent.json()["accepted"] == 3, sent.text
            assert reminders(two, "4711") == viewed[::-1]

            # A stock change through one hides the item on both within a second.
            hidden = similar(two)[0]
            put = one.put("/v1/catalog/items", json={"items": [{"id": hidden, "in_stock": False}]},
                          headers={"Authorization": f"Bearer {ADMIN_KEY}"})
            assert put.status_code == 200, put.text
            took = until(lambda: hidden not in similar(one) and hidden not in similar(two), 1.0)
            print(f"stock change seen by both replicas after {took * 1000:.0f} ms")

            # Redis killed: both keep answering; the known customer anonymously; writes 503 before acknowledging.
            redis.stop()
            with httpx.Client(base_url=proxy.url, timeout=10) as through:
                for _ in range(10):
                    assert similar(through) and hidden not in similar(through)  # the last overlay stays
            # A publish still reaches both, with the overrides they last read: the hidden item stays hidden.
            built.append(build(events, builder, catalog_path=catalog, now=1323407200).manifest.version)
            publish(builder, str(store))
            until(lambda: all(c.get("/v1/recommend", params={"page": "home"}).json()["version"] == built[-1]
                              for c in (one, two)), 60)
            for client in (one, two):
                assert hidden not in similar(client)
                assert reminders(client, "4711") == []
                late = client.post("/v1/events", headers={"X-Skylt-Key": INGEST_KEY}, json={"events": [
                    {"type": "view", "item": "85123A", "session": "s", "user": "4711",
                     "user_token": user_token("4711")}]})
                assert late.status_code == 503 and late.headers["content-type"] == "application/problem+json"
                assert client.get("/readyz").status_code == 200
    finally:
        stop.set()
        if proxy is not None:
            proxy.stop()
        for replica in replicas:
            replica.stop()
        redis.stop()
