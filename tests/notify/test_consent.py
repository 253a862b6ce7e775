"""Consent and erasure: the clear customer id is kept only with signed consent, encrypted, and is gone with it."""

from __future__ import annotations

import time

import pytest

from edge.notify.ids import unseal_id
from tests.conftest import SERVER_KEY
from tests.notify.conftest import HOUR, SECRET_KEY, FakeService, Shop, signed
from tests.notify.test_klaviyo import CART, left_cart


def test_the_customer_id_is_kept_encrypted_at_rest(shop: Shop):
    left_cart(shop, "customer-4711")
    [row] = shop.store().customers()
    assert unseal_id(SECRET_KEY, row.sealed) == "customer-4711"
    assert row.user != "customer-4711"  # keyed by the hashed id, as the profiles
    for path in (shop.root / "notify").iterdir():
        assert b"customer-4711" not in path.read_bytes()
        assert path.stat().st_mode & 0o077 == 0
    assert (shop.root / "notify").stat().st_mode & 0o077 == 0


def test_withdrawn_consent_deletes_the_id_and_the_trigger_state_and_stops_messages(shop: Shop,
                                                                                    klaviyo: FakeService):
    now = left_cart(shop, "cust-w")
    assert shop.notify(now).sent == 1
    shop.post([signed("cust-w", type="cart", item="21733", ts=int(now - 30 * HOUR), marketing=False,
                      consent=False)])
    assert list(shop.store().customers()) == []
    assert shop.store().sends_since(_hash(shop, "cust-w"), 0) == 0
    shop.post([signed("cust-w", type="cart", item="21733", ts=int(now - 26 * HOUR))])  # behaviour goes on
    assert shop.notify(now + 60).due == 0 and len(klaviyo.received) == 1


def test_a_server_key_carries_consent_without_a_token(shop: Shop, klaviyo: FakeService):
    ts = int(time.time() - 25 * HOUR)
    shop.post([{"type": "cart", "item": item, "user": "cust-srv", "ts": ts, "marketing": True} for item in CART],
              key=SERVER_KEY)
    assert shop.notify().sent == 1


def test_consent_is_not_kept_without_a_secret_key_or_a_destination(shop: Shop):
    shop.post([signed("cust-off", type="view", item="22423", marketing=True)], klaviyo_private_key="")
    assert not (shop.root / "notify").exists()


@pytest.mark.parametrize("route", ["users", "shopify"])
def test_erasure_removes_the_clear_id_and_the_trigger_state(shop: Shop, klaviyo: FakeService, route: str):
    now = left_cart(shop, "4711")
    assert shop.notify(now).sent == 1
    user = _hash(shop, "4711")
    assert shop.store().sends_since(user, 0) == 1
    if route == "users":
        assert shop.erase("4711")["notify"] == 1
    else:
        _shopify_redact(shop, "4711")
    assert list(shop.store().customers()) == []
    assert shop.store().sends_since(user, 0) == 0
    assert shop.notify(now + 60).due == 0 and len(klaviyo.received) == 1


def _hash(shop: Shop, user: str) -> str:
    from edge.shared.factory import open_profiles

    profiles = open_profiles(shop.settings())
    try:
        return profiles.key(user)
    finally:
        profiles.close()


def _shopify_redact(shop: Shop, customer: str) -> None:
    _shopify_webhook(shop, "customers/redact", {"shop_domain": "acme.myshopify.com",
                                                "customer": {"id": int(customer)}, "orders_to_redact": []})


def _shopify_webhook(shop: Shop, topic: str, payload: dict[str, object]) -> None:
    import base64
    import hashlib
    import hmac
    import json

    from starlette.testclient import TestClient

    from edge.serve.app import create_app

    secret = "shopify-client-secret-notify-01"
    body = json.dumps(payload).encode()
    mac = base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()
    settings = shop.settings(shopify_webhook_secrets=secret, shopify_state=str(shop.root / "shopify"))
    with TestClient(create_app(settings)) as client:
        answer = client.post("/v1/shopify/webhooks", content=body, headers={
            "X-Shopify-Hmac-Sha256": mac, "X-Shopify-Topic": topic, "X-Shopify-Webhook-Id": f"w-{topic}",
            "X-Shopify-Shop-Domain": "acme.myshopify.com", "Content-Type": "application/json"})
    assert answer.status_code == 200, answer.text


def test_a_consenting_customers_shopify_order_starts_the_cross_sell_trigger(shop: Shop):
    from tests.shopify.conftest import order

    shop.post([{"type": "view", "item": "22423", "user": "555", "marketing": True}], key=SERVER_KEY)
    _shopify_webhook(shop, "orders/create", order(7001, [("8001", 1, "10.00"), ("8002", 2, "5.00")]))
    [row] = shop.store().customers()
    assert (row.order_id, sorted(row.order_items)) == ("7001", ["8001", "8002"])
    assert row.order_at is not None and row.view_at is not None
