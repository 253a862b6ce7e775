"""Triggers end to end: signed consent and behaviour in through POST /v1/events, `skylt notify` out to a local
stand-in for Klaviyo's Create Event endpoint."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

from edge.notify.klaviyo import REVISION
from edge.notify.state import FAILED, SENT
from tests.notify.conftest import HOUR, KLAVIYO_KEY, FakeService, Shop, signed

CART = ["85123A", "22423"]


def left_cart(shop: Shop, user: str, hours_ago: float = 25.0) -> float:
    now = time.time()
    ts = int(now - hours_ago * HOUR)
    shop.post([signed(user, type="view", item=CART[0], ts=ts - 60, marketing=True),
               *(signed(user, type="cart", item=item, ts=ts) for item in CART)])
    return now


def test_a_left_cart_sends_one_event_of_the_documented_shape_and_a_rerun_sends_nothing(shop: Shop,
                                                                                      klaviyo: FakeService):
    now = left_cart(shop, "cust-1")
    summary = shop.notify(now)
    assert summary.sent == 1 and summary.due == 1
    [got] = klaviyo.received
    assert got.path == "/api/events"
    assert got.headers["authorization"] == f"Klaviyo-API-Key {KLAVIYO_KEY}"
    assert got.headers["revision"] == REVISION
    assert got.headers["content-type"] == "application/vnd.api+json"
    assert got.headers["accept"] == "application/vnd.api+json"
    data = got.json()["data"]
    assert data["type"] == "event"
    attrs = data["attributes"]
    assert attrs["metric"] == {"data": {"type": "metric", "attributes": {"name": "Skylt Cart Recommendations"}}}
    assert attrs["profile"] == {"data": {"type": "profile", "attributes": {"external_id": "cust-1"}}}
    assert attrs["unique_id"].startswith("skylt-") and attrs["time"].endswith("Z")
    items = attrs["properties"]["items"]
    assert items and attrs["properties"]["item_count"] == len(items)
    assert {i["slot"] for i in items} <= {"bought_together", "addons"}
    assert not {i["id"] for i in items} & set(CART)  # nothing already in the cart
    for item in items:
        assert set(item) == {"id", "title", "url", "image", "price", "currency", "reason", "slot"}
        assert item["title"] and item["reason"] and item["currency"] == "GBP"
        assert item["url"].startswith(f"https://shop.example/p/{item['id']}?")
        query = parse_qs(urlsplit(item["url"]).query)
        assert query == {"skylt": [item["id"], attrs["properties"]["request_id"], item["slot"]]}
    assert shop.notify(now).sent == 0 and len(klaviyo.received) == 1
    assert shop.notify(now + 600).sent == 0 and len(klaviyo.received) == 1


def test_nothing_is_sent_without_a_signed_identity_and_the_shops_consent(shop: Shop, klaviyo: FakeService):
    ts = int(time.time() - 30 * HOUR)
    answer = shop.post([{"type": "cart", "item": CART[0], "ts": ts, "user": "forged", "session": "s-1",
                         "user_token": "v1.0.AAAA", "marketing": True},
                        signed("no-consent", type="cart", item=CART[0], ts=ts)])
    assert answer["unsigned"] == [0]
    assert shop.notify().due == 0 and klaviyo.received == []
    assert list(shop.store().customers()) == []
    refused = shop.post([{"type": "cart", "item": CART[0], "session": "s-2", "marketing": True}])
    assert refused["rejected"][0]["field"] == "marketing"


def test_a_cart_emptied_or_bought_sends_nothing(shop: Shop, klaviyo: FakeService):
    now = left_cart(shop, "cust-2")
    shop.post([signed("cust-2", type="purchase", item=item, order="o-1", ts=int(now - 20 * HOUR), price=2.5)
               for item in CART])
    summary = shop.notify(now)
    assert all(r.trigger != "cart" for r in summary.results)
    assert all(got.json()["data"]["attributes"]["metric"]["data"]["attributes"]["name"] != "Skylt Cart "
               "Recommendations" for got in klaviyo.received)


def test_429_waits_for_retry_after_then_sends(shop: Shop, klaviyo: FakeService):
    klaviyo.script = [(429, {"Retry-After": "1"})]
    now = left_cart(shop, "cust-3")
    assert shop.notify(now).sent == 1
    first, second = klaviyo.received
    assert second.at - first.at >= 1.0
    assert first.body == second.body  # the same event, the same unique_id


def test_a_refusal_is_reported_once_and_never_retried(shop: Shop, klaviyo: FakeService):
    klaviyo.script = [(400, {})]
    now = left_cart(shop, "cust-4")
    summary = shop.notify(now)
    assert summary.failed == 1 and summary.sent == 0 and len(klaviyo.received) == 1
    assert "400" in summary.results[0].destinations["klaviyo"]
    store = shop.store()
    assert [store.status(f"{k}:klaviyo") for k in _keys(shop)] == [FAILED]
    assert shop.notify(now + 60).failed == 0 and len(klaviyo.received) == 1


def test_quiet_hours_hold_new_triggers_until_they_end(shop: Shop, klaviyo: FakeService):
    now = left_cart(shop, "cust-5")
    hour = time.gmtime(now).tm_hour
    around = f"{hour:02d}:00-{(hour + 2) % 24:02d}:00"
    assert shop.notify(now, notify_quiet_hours=around).quiet
    assert klaviyo.received == []
    later = f"{(hour + 3) % 24:02d}:00-{(hour + 4) % 24:02d}:00"
    assert shop.notify(now, notify_quiet_hours=later).sent == 1


def test_the_frequency_cap_counts_every_trigger_of_a_customer(shop: Shop, klaviyo: FakeService):
    now = time.time()
    old = int(now - 8 * 24 * HOUR)
    shop.post([signed("cust-6", type="purchase", item="22423", order="o-6", ts=old, price=12.75, marketing=True),
               signed("cust-6", type="cart", item="85123A", ts=int(now - 25 * HOUR))])
    summary = shop.notify(now, notify_cap=1, notify_expire_hours=48)
    assert summary.due == 2 and summary.sent == 1 and summary.capped == 1
    assert len(klaviyo.received) == 1
    assert shop.notify(now + 60, notify_cap=2, notify_expire_hours=48).sent == 1  # room again under a higher cap


def test_a_trigger_due_too_long_ago_is_dropped(shop: Shop, klaviyo: FakeService):
    now = left_cart(shop, "cust-7", hours_ago=24 + 73)
    assert shop.notify(now).due == 0 and klaviyo.received == []


def test_browse_and_order_messages_carry_their_slots(shop: Shop, klaviyo: FakeService):
    now = time.time()
    shop.post([signed("cust-8", type="view", item="22423", ts=int(now - 26 * HOUR), marketing=True)])
    shop.post([signed("cust-9", type="purchase", item="85123A", order="o-9", ts=int(now - 7.5 * 24 * HOUR),
                      price=2.55, marketing=True)])
    summary = shop.notify(now)
    by_kind = {r.trigger: r.message for r in summary.results}
    assert set(by_kind) == {"viewed", "order"}
    assert {i.slot for i in by_kind["viewed"].items} <= {"similar", "alternatives"}
    assert "22423" not in {i.id for i in by_kind["viewed"].items}
    assert {i.slot for i in by_kind["order"].items} == {"bought_together"}
    assert "85123A" not in {i.id for i in by_kind["order"].items}
    names = {got.json()["data"]["attributes"]["metric"]["data"]["attributes"]["name"] for got in klaviyo.received}
    assert names == {"Skylt Browse Recommendations", "Skylt Order Recommendations"}


def test_a_dry_run_prints_the_messages_and_sends_and_records_nothing(shop: Shop, klaviyo: FakeService,
                                                                      monkeypatch):
    import json

    from click.testing import CliRunner

    from edge.cli import main

    now = left_cart(shop, "cust-10")
    for name, value in shop.env.items():
        monkeypatch.setenv(f"SKYLT_{name.upper()}", value)
    out = CliRunner().invoke(main, ["notify", "--dry-run", "--json", "--now", str(now)])
    assert out.exit_code == 0, out.output
    printed = json.loads(out.output)
    assert printed["dry_run"] and printed["due"] == 1
    [result] = printed["results"]
    assert result["destinations"] == {"klaviyo": "would send"}
    assert result["message"]["customer_id"] == "cust-10" and result["message"]["items"]
    assert klaviyo.received == []
    assert [shop.store().status(f"{k}:klaviyo") for k in _keys(shop)] == [None]
    assert shop.notify(now).sent == 1
    assert [shop.store().status(f"{k}:klaviyo") for k in _keys(shop)] == [SENT]


def _keys(shop: Shop) -> list[str]:
    from edge.notify.triggers import due_triggers
    from edge.shared.factory import open_profiles

    settings = shop.settings()
    profiles = open_profiles(settings)
    try:
        return [t.key for c in shop.store().customers()
                for t in due_triggers(c, profiles.get(c.user), time.time(), settings)]
    finally:
        profiles.close()
