"""Webhooks that fail or stop mid-way are applied by Shopify's retry; a full disk answers 503 before an order
is logged; DELETE /v1/users/{id} also forgets the customer's Shopify order rows."""

from __future__ import annotations

from pathlib import Path

import msgspec
import pytest
from starlette.testclient import TestClient

from edge.config import Settings
from edge.events.erase import erase_user
from edge.events.segments import lines, segments
from edge.serve.app import create_app
from edge.shopify import webhooks as webhooks_module
from edge.shopify.state import CLAIM_TIMEOUT, WebhookState
from tests.conftest import IDENTITY_SECRET, assert_problem, user_token
from tests.shopify.conftest import PRODUCTS, SHOP, deliver, order, settings_for

INGEST_KEY = "retry-ingest-key-000001"
ADMIN_KEY = "retry-admin-key-0000001"
REDACT = {"shop_id": 1, "shop_domain": SHOP, "customer": {"id": 555, "email": "a@example.com"},
          "orders_to_redact": [4]}  # a guest checkout of the same customer


def logged(tmp_path: Path) -> list[dict[str, object]]:
    return [msgspec.json.decode(x) for x in lines(segments(tmp_path / "events")) if x.strip()]


@pytest.fixture
def client(shop_tables, tmp_path):
    settings = Settings.load(**settings_for(shop_tables, tmp_path, ingest_keys=INGEST_KEY, admin_keys=ADMIN_KEY,
                                            identity_secrets=IDENTITY_SECRET))
    with TestClient(create_app(settings), raise_server_exceptions=False) as c:
        yield c


def seed(client: TestClient) -> None:
    """Two orders of customer 555, one of 777, a guest checkout, and 555's storefront views."""
    for n, customer in ((1, 555), (2, 555), (3, 777), (4, None)):
        assert deliver(client, "orders/create", order(n, [(PRODUCTS[n], 1, "1.0")], customer=customer)).json()[
            "events"] == 1
    views = [{"type": "view", "item": PRODUCTS[9], "session": "s-1", "user": "555", "user_token": user_token("555")}]
    assert client.post("/v1/events", json={"events": views}, headers={"X-Skylt-Key": INGEST_KEY}).status_code == 200


def left(client: TestClient, tmp_path: Path) -> set[object]:
    profiles = client.app.state.profiles
    assert profiles.get(profiles.key("777")) is not None
    return {e.get("user_id") for e in logged(tmp_path)} - {profiles.key("777")}


def test_a_redact_that_fails_mid_way_is_applied_by_the_retry(client, tmp_path, monkeypatch):
    seed(client)
    real = webhooks_module.erase_events
    calls = []

    def fails_once(directory, person):
        calls.append(person)
        if len(calls) == 1:  # after the claim, after the customer's own lines were erased
            raise OSError("I/O error")
        return real(directory, person)

    monkeypatch.setattr(webhooks_module, "erase_events", fails_once)
    assert deliver(client, "customers/redact", REDACT, webhook_id="redact-1").status_code == 500
    r = deliver(client, "customers/redact", REDACT, webhook_id="redact-1")  # Shopify's retry
    assert r.status_code == 200 and "erased" in r.json(), r.text
    assert left(client, tmp_path) == set()
    profiles = client.app.state.profiles
    assert profiles.get(profiles.key("555")) is None
    assert deliver(client, "customers/redact", REDACT, webhook_id="redact-1").json()["duplicate"] is True


def test_a_redact_whose_worker_died_mid_way_is_applied_by_a_retry_once_its_claim_is_stale(client, tmp_path):
    seed(client)
    receiver = client.app.state.shopify
    start = receiver.clock()
    # What a worker killed mid-way leaves: its claim, and part of the work (the customer's own lines).
    assert WebhookState(tmp_path / "shopify").claim("redact-2", "customers/redact", SHOP, start) == "claimed"
    erase_user(tmp_path / "events", client.app.state.profiles.key("555"))
    assert left(client, tmp_path) == {None}  # the guest checkout is still there
    # A retry while the claim may still be in progress elsewhere: not applied, not acknowledged.
    assert_problem(deliver(client, "customers/redact", REDACT, webhook_id="redact-2"), 409, "x-shopify-webhook-id")
    receiver.clock = lambda: start + CLAIM_TIMEOUT + 1
    r = deliver(client, "customers/redact", REDACT, webhook_id="redact-2")
    assert r.status_code == 200 and r.json()["erased"] >= 1, r.text
    assert left(client, tmp_path) == set()
    assert deliver(client, "customers/redact", REDACT, webhook_id="redact-2").json()["duplicate"] is True


def test_an_order_under_the_disk_floor_answers_503_and_the_retry_logs_it(client, tmp_path):
    floor = client.app.state.disk_floor
    floor.min_free = 1 << 62  # more than any real disk has free
    r = deliver(client, "orders/create", order(5, [(PRODUCTS[0], 1, "1.0")]), webhook_id="order-5")
    assert_problem(r, 503)
    assert logged(tmp_path) == []
    assert WebhookState(tmp_path / "shopify").customer_orders(SHOP, client.app.state.profiles.key("555")) == []
    floor.min_free = 1 << 20
    r = deliver(client, "orders/create", order(5, [(PRODUCTS[0], 1, "1.0")]), webhook_id="order-5")
    assert r.json()["events"] == 1 and len(logged(tmp_path)) == 1


def test_an_order_whose_worker_died_before_the_append_is_logged_by_the_retry(client, tmp_path):
    seed(client)
    receiver = client.app.state.shopify
    start = receiver.clock()
    # What a worker killed between remembering the order and appending its lines leaves behind.
    state = WebhookState(tmp_path / "shopify")
    assert state.claim("order-6", "orders/create", SHOP, start) == "claimed"
    assert state.remember_order(SHOP, "6", client.app.state.profiles.key("555"))
    receiver.clock = lambda: start + CLAIM_TIMEOUT + 1
    r = deliver(client, "orders/create", order(6, [(PRODUCTS[0], 1, "1.0")], customer=555), webhook_id="order-6")
    assert r.status_code == 200 and r.json()["events"] == 1, r.text
    assert [e["item_id"] for e in logged(tmp_path) if e.get("order_id") == "6"] == [PRODUCTS[0]]
    # Logged now: the same order delivered again (another webhook id) is not logged twice.
    again = deliver(client, "orders/create", order(6, [(PRODUCTS[0], 1, "1.0")], customer=555), webhook_id="order-6b")
    assert "logged before" in again.json()["ignored"]
    assert len([e for e in logged(tmp_path) if e.get("order_id") == "6"]) == 1


def test_delete_user_erases_the_customers_shopify_order_rows(client, tmp_path):
    seed(client)
    profiles = client.app.state.profiles
    state = WebhookState(tmp_path / "shopify")
    assert sorted(state.customer_orders(SHOP, profiles.key("555"))) == ["1", "2"]
    r = client.delete("/v1/users/555", headers={"Authorization": f"Bearer {ADMIN_KEY}"})
    assert r.status_code == 200 and r.json()["orders"] == 2 and r.json()["events"] == 3, r.text
    assert state.customer_orders(SHOP, profiles.key("555")) == []
    assert state.shop_people(SHOP) == ({"3", "4"}, {profiles.key("777")})
    assert left(client, tmp_path) == {None}  # the guest checkout names no user: only a redact finds it
