"""Signed identity against a real server (uvicorn and granian) on 127.0.0.1, as a storefront and an attacker
would use it: the customer's two devices see the profile; a stranger without the token, with a forged token or
with another customer's token sees nothing of it."""

import httpx
import pytest

from tests.conftest import IDENTITY_SECRET, Server, as_user, user_token

pytestmark = pytest.mark.slow

PUBLIC_KEY = "public-ingest-key-0002"


def recently_viewed(client: httpx.Client, user: str, headers: dict[str, str]) -> list[str]:
    r = client.get("/v1/recommend", params={"page": "cart", "slots": "reminders,bought_together", "n": "50",
                                            "user": user}, headers=headers)
    assert r.status_code == 200, r.text
    reminders = next(s for s in r.json()["slots"] if s["slot"] == "reminders")
    return [i["id"] for i in reminders["items"]]


def test_a_customers_profile_is_visible_only_with_the_customers_token(demo_tables, demo_snapshot, tmp_path,
                                                                          http_server):
    items = [demo_snapshot.external_id(int(i)) for i in demo_snapshot.ranking("bestsellers", 0)[0][:3]]
    srv = Server(demo_tables, env={"SKYLT_INGEST_KEYS": PUBLIC_KEY, "SKYLT_IDENTITY_SECRETS": IDENTITY_SECRET,
                                   "SKYLT_EVENT_LOG": str(tmp_path / "events"),
                                   "SKYLT_CATALOG_OVERLAY": str(tmp_path / "overlay")}, server=http_server)
    try:
        srv.wait_ready()
        with httpx.Client(base_url=srv.url, timeout=30) as phone:
            r = phone.post("/v1/events", headers={"X-Skylt-Key": PUBLIC_KEY}, json={"events": [
                {"type": "view", "item": item, "session": "phone", "user": "4711", "user_token": user_token("4711")}
                for item in items]})
            assert r.status_code == 200 and r.json()["accepted"] == 3 and r.json()["unsigned"] == [], r.text
            assert recently_viewed(phone, "4711", as_user("4711")) == items[::-1]
        with httpx.Client(base_url=srv.url, timeout=30) as laptop:  # another device: a new connection, no session
            assert recently_viewed(laptop, "4711", as_user("4711")) == items[::-1]
        with httpx.Client(base_url=srv.url, timeout=30) as stranger:
            assert recently_viewed(stranger, "4711", {}) == []
            assert recently_viewed(stranger, "4711", {"X-Skylt-User-Token": "v1.0." + "B" * 43}) == []
            assert recently_viewed(stranger, "4711", as_user("4712")) == []  # the stranger's own valid token
            # Writing into the customer's profile is refused the same way: stored without the user.
            r = stranger.post("/v1/events", headers={"X-Skylt-Key": PUBLIC_KEY}, json={"events": [
                {"type": "view", "item": items[0], "session": "evil", "user": "4711",
                 "user_token": user_token("4712")}]})
            assert r.json()["unsigned"] == [0]
        with httpx.Client(base_url=srv.url, timeout=30) as phone:
            assert recently_viewed(phone, "4711", as_user("4711")) == items[::-1]
    finally:
        srv.stop()
