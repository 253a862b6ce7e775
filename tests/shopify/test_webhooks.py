"""POST /v1/shopify/webhooks in-process: signatures, idempotency, and each topic's effect."""

from __future__ import annotations

import base64
import hashlib
import hmac as hmac_lib
import json
from datetime import UTC, datetime
from pathlib import Path

import msgspec
import pytest
from starlette.testclient import TestClient

from edge.events.segments import lines, segments
from edge.schemas import RecommendResponse
from edge.shopify.state import WebhookState
from tests.conftest import IDENTITY_SECRET, assert_problem, user_token
from tests.shopify.conftest import PRODUCTS, SECRET, SHOP, deliver, order, product, settings_for

decode = msgspec.json.Decoder(RecommendResponse).decode


def bestsellers(client: TestClient) -> dict[str, dict[str, object]]:
    r = client.get("/v1/recommend", params={"page": "home", "n": 30})
    assert r.status_code == 200, r.text
    return {i.id: {"price": i.price, "title": i.title, "url": i.url, "image": i.image}
            for s in decode(r.content).slots for i in s.items}


def logged(tmp_path: Path) -> list[dict[str, object]]:
    return [msgspec.json.decode(line) for line in lines(segments(tmp_path / "events")) if line.strip()]


def overlay_generation(client: TestClient) -> int:
    store = client.app.state.overlay.store  # type: ignore[attr-defined]
    return 0 if store is None else store.generation()


# -- signatures ------------------------------------------------------------------------------

def test_the_signature_is_base64_hmac_sha256_of_the_raw_body_with_the_client_secret(shop_client):
    body = b'{"id": 7000000001, "title": "A",  "variants": []}'  # odd spacing: the raw bytes are signed
    digest = base64.b64encode(hmac_lib.new(SECRET.encode(), body, hashlib.sha256).digest()).decode()
    r = deliver(shop_client, "products/update", None, body=body, hmac=digest, secret=None)
    assert r.status_code == 200, r.text
    assert r.json()["upserted"] == ["7000000001"]


@pytest.mark.parametrize("how", ["tampered", "unsigned", "wrong secret", "not base64", "hex digest"])
def test_bad_signatures_answer_401_and_store_nothing(shop_client, tmp_path, how):
    payload = product(PRODUCTS[0], quantity=0)
    raw = msgspec.json.encode(payload)
    good = base64.b64encode(hmac_lib.new(SECRET.encode(), raw, hashlib.sha256).digest()).decode()
    kwargs: dict[str, object] = {
        "tampered": {"body": raw.replace(b'"inventory_quantity":0', b'"inventory_quantity":9'), "hmac": good},
        "unsigned": {"secret": None},
        "wrong secret": {"secret": "not-the-app-secret"},
        "not base64": {"hmac": "%%%"},
        "hex digest": {"hmac": hmac_lib.new(SECRET.encode(), raw, hashlib.sha256).hexdigest()},
    }[how]
    before = bestsellers(shop_client)
    r = deliver(shop_client, "orders/create", order(1, [(PRODUCTS[0], 1, "10.00")]), webhook_id="w-1", **kwargs)
    assert_problem(r, 401, "x-shopify-hmac-sha256")
    r = deliver(shop_client, "products/update", payload, webhook_id="w-2", **kwargs)
    assert_problem(r, 401, "x-shopify-hmac-sha256")
    assert overlay_generation(shop_client) == 0
    assert logged(tmp_path) == []
    assert bestsellers(shop_client) == before
    # Not even the delivery id was kept: the same id, properly signed, is applied.
    assert deliver(shop_client, "products/update", payload, webhook_id="w-2").json()["upserted"] == [PRODUCTS[0]]


def test_either_secret_verifies_while_rotating(shop_client):
    old = deliver(shop_client, "products/update", product(PRODUCTS[1]), secret="old-shopify-secret-01")
    assert old.status_code == 200


def test_webhooks_are_off_until_a_secret_is_configured(shop_tables, tmp_path):
    from edge.config import Settings
    from edge.serve.app import create_app

    settings = Settings.load(**settings_for(shop_tables, tmp_path, shopify_webhook_secrets=""))
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        body = assert_problem(deliver(client, "products/update", product(PRODUCTS[0])), 503)
        assert "shopify_webhook_secrets" in body["detail"]
    assert not (tmp_path / "shopify").exists()


def test_signed_deliveries_still_need_their_headers_and_a_json_object(shop_client):
    assert_problem(deliver(shop_client, "", product(PRODUCTS[0])), 400, "x-shopify-topic")
    assert_problem(deliver(shop_client, "products/update", product(PRODUCTS[0]), shop=""), 400,
                   "x-shopify-shop-domain")
    assert_problem(deliver(shop_client, "products/update", None, body=b"[1, 2]"), 422)
    assert_problem(deliver(shop_client, "products/update", None, body=b"{not json"), 400)
    assert_problem(deliver(shop_client, "products/update", {"title": "no id"}), 422, "id")


# -- idempotency -----------------------------------------------------------------------------

def test_a_repeated_webhook_id_is_acknowledged_and_stored_once(shop_client, tmp_path):
    payload = order(1001, [(PRODUCTS[0], 2, "19.90"), (PRODUCTS[1], 1, "5.00")])
    first = deliver(shop_client, "orders/create", payload, webhook_id="b9f0c8e1-1")
    again = deliver(shop_client, "orders/create", payload, webhook_id="b9f0c8e1-1")
    assert first.json() == {"topic": "orders/create", "events": 2}
    assert again.status_code == 200 and again.json() == {"topic": "orders/create", "duplicate": True}
    # A second subscription delivers the same order under another id: still one purchase per line.
    other = deliver(shop_client, "orders/create", payload, webhook_id="c0ffee-2")
    assert other.status_code == 200 and "logged before" in other.json()["ignored"]
    assert len(logged(tmp_path)) == 2


# -- catalog topics --------------------------------------------------------------------------

def test_products_update_sets_price_title_url_and_image(shop_client):
    item = PRODUCTS[0]
    assert item in bestsellers(shop_client)
    r = deliver(shop_client, "products/update", product(item, price="7.50", title="Apron, linen"), webhook_id="p1")
    assert r.json() == {"topic": "products/update", "upserted": [item]}
    shown = bestsellers(shop_client)[item]
    assert shown == {"price": 7.5, "title": "Apron, linen", "url": f"https://{SHOP}/products/linen-apron",
                     "image": "https://cdn.shopify.com/s/files/apron.jpg"}


def test_stock_zero_hides_the_product_for_new_requests_and_stock_brings_it_back(shop_client):
    item = PRODUCTS[0]
    deliver(shop_client, "products/update", product(item, quantity=0), webhook_id="p1")
    assert item not in bestsellers(shop_client)
    deliver(shop_client, "products/update", product(item, quantity=3), webhook_id="p2")
    assert item in bestsellers(shop_client)


def test_untracked_or_oversold_variants_keep_a_product_in_stock(shop_client):
    deliver(shop_client, "products/update", product(PRODUCTS[0], quantity=0, management=None))
    deliver(shop_client, "products/update", product(PRODUCTS[1], quantity=0, policy="continue"))
    shown = bestsellers(shop_client)
    assert PRODUCTS[0] in shown and PRODUCTS[1] in shown


def test_draft_and_deleted_products_are_hidden(shop_client):
    deliver(shop_client, "products/update", product(PRODUCTS[0], status="draft"))
    r = deliver(shop_client, "products/delete", {"id": int(PRODUCTS[1])})
    assert r.json() == {"topic": "products/delete", "deleted": [PRODUCTS[1]]}
    shown = bestsellers(shop_client)
    assert PRODUCTS[0] not in shown and PRODUCTS[1] not in shown
    deliver(shop_client, "products/create", product(PRODUCTS[1]))  # recreated: shown again
    assert PRODUCTS[1] in bestsellers(shop_client)


def test_inventory_levels_update_sets_stock_through_the_learned_inventory_item(shop_client):
    item = PRODUCTS[2]
    level = {"inventory_item_id": 880001, "location_id": 6884556842, "available": 0,
             "updated_at": "2026-11-23T10:00:00-05:00", "admin_graphql_api_id": "gid://shopify/InventoryLevel/1"}
    unknown = deliver(shop_client, "inventory_levels/update", level)
    assert "no product seen yet" in unknown.json()["ignored"]
    deliver(shop_client, "products/update", product(item, quantity=4, inventory_item=880001))
    assert item in bestsellers(shop_client)
    r = deliver(shop_client, "inventory_levels/update", level, webhook_id="l1")
    assert r.json() == {"topic": "inventory_levels/update", "upserted": [item]}
    assert item not in bestsellers(shop_client)
    deliver(shop_client, "inventory_levels/update", {**level, "available": 2}, webhook_id="l2")
    assert item in bestsellers(shop_client)


# -- orders ----------------------------------------------------------------------------------

def test_orders_create_appends_purchase_events_in_the_log_format(shop_client, tmp_path):
    user = shop_client.app.state.profiles.key("555")  # hashed as the ingest hashes user ids
    payload = order(450_000_123, [(PRODUCTS[3], 2, "19.90"), ("", 1, "5.00"), (PRODUCTS[4], 1, "5.00")])
    assert deliver(shop_client, "orders/create", payload).json()["events"] == 2
    ts = int(datetime(2026, 11, 20, 11, tzinfo=UTC).timestamp())  # created_at 12:00 at +01:00
    assert logged(tmp_path) == [
        {"ts": ts, "type": "purchase", "item_id": PRODUCTS[3], "user_id": user, "order_id": "450000123",
         "quantity": 2.0, "price": 19.9, "region": "SE", "currency": "SEK"},
        {"ts": ts, "type": "purchase", "item_id": PRODUCTS[4], "user_id": user, "order_id": "450000123",
         "quantity": 1.0, "price": 5.0, "region": "SE", "currency": "SEK"}]


def test_orders_create_with_the_embeds_note_attributes_is_attributed_to_the_slot(shop_client, tmp_path):
    from edge.report.compute import compute
    from edge.report.load import load

    touches = json.dumps([[PRODUCTS[9], "req-old", "for_you"], [PRODUCTS[3], "req-7", "similar"],
                          ["x", "y"], [PRODUCTS[4], "r", "no-such-slot"]])
    payload = order(450_000_124, [(PRODUCTS[3], 2, "19.90"), (PRODUCTS[4], 1, "5.00")], customer=None) | {
        "note_attributes": [{"name": "_skylt_session", "value": "a1b2c3d4e5f6a1b2c3d4e5f6"},
                            {"name": "_skylt_touches", "value": touches}, {"name": "gift", "value": 3}]}
    assert deliver(shop_client, "orders/create", payload).json()["events"] == 2
    first, second = logged(tmp_path)
    assert (first["session_id"], first["request_id"], first["slot"]) == ("a1b2c3d4e5f6a1b2c3d4e5f6", "req-7",
                                                                         "similar")
    assert second["session_id"] == "a1b2c3d4e5f6a1b2c3d4e5f6" and "slot" not in second  # its touch was malformed
    (tmp_path / "events" / "impressions-20261120T100000000000Z-1-000001.jsonl").write_text(json.dumps(
        {"ts": 1_790_000_000, "type": "impression", "request_id": "req-7", "slot": "similar", "page": "product",
         "bucket": "personalized", "items": [PRODUCTS[3]], "session_id": "a1b2c3d4e5f6a1b2c3d4e5f6"}) + "\n")
    report = compute(*load(tmp_path / "events"))
    [row] = report.slots
    assert (row.page, row.slot, row.purchases, row.revenue, row.currency) == ("product", "similar", 1, 39.8, "SEK")
    assert report.buckets[0].purchase_rate.hits == 1  # the guest buyer is the shopper who saw the slot


@pytest.mark.parametrize("value", ["not json", "[[1,2,3]]", "{}", "[" * 5000, '[["a","b","similar","d"]]'])
def test_malformed_touches_leave_the_order_unattributed(shop_client, tmp_path, value):
    payload = order(450_000_125, [(PRODUCTS[3], 1, "19.90")]) | {
        "note_attributes": [{"name": "_skylt_touches", "value": value}, {"name": "_skylt_session", "value": " "}]}
    assert deliver(shop_client, "orders/create", payload).status_code == 200
    [line] = logged(tmp_path)
    assert "slot" not in line and "session_id" not in line


def test_the_logged_orders_build(shop_client, tmp_path):
    from edge.build.readers import read_events

    deliver(shop_client, "orders/create", order(1, [(PRODUCTS[0], 1, "10.00")], customer=None))
    deliver(shop_client, "orders/create", order(2, [(PRODUCTS[1], 1, "10.00")]))
    [segment] = segments(tmp_path / "events")
    assert read_events(segment).num_rows == 2


# -- installs and privacy --------------------------------------------------------------------

def test_app_uninstalled_is_recorded_and_a_later_delivery_means_a_reinstall(shop_client, tmp_path):
    deliver(shop_client, "app/uninstalled", {"id": 1, "domain": SHOP, "myshopify_domain": SHOP})
    state = WebhookState(tmp_path / "shopify")
    assert state.uninstalled_at(SHOP) is not None
    deliver(shop_client, "products/update", product(PRODUCTS[0]))
    assert state.uninstalled_at(SHOP) is None


def test_customers_redact_erases_the_customers_events_and_nothing_else(shop_tables, tmp_path, caplog):
    from edge.build.readers import read_events
    from edge.config import Settings
    from edge.serve.app import create_app

    settings = Settings.load(**settings_for(shop_tables, tmp_path, ingest_keys="shopify-ingest-key-01",
                                            identity_secrets=IDENTITY_SECRET))
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        profiles = client.app.state.profiles  # type: ignore[attr-defined]
        deliver(client, "orders/create", order(1, [(PRODUCTS[0], 1, "1.0")], customer=555))
        deliver(client, "orders/create", order(2, [(PRODUCTS[1], 1, "1.0")], customer=777))
        deliver(client, "orders/create", order(3, [(PRODUCTS[2], 1, "1.0")], customer=None))  # guest checkout
        # The storefront's events of the same customer, logged in, and before logging in (same session).
        storefront = [{"type": "view", "item": PRODUCTS[5], "session": "s-1", "user": "555",
                       "user_token": user_token("555")},
                      {"type": "view", "item": PRODUCTS[6], "session": "s-1"},
                      {"type": "view", "item": PRODUCTS[7], "session": "s-2"}]
        sent = client.post("/v1/events", json={"events": storefront}, headers={"X-Skylt-Key": "shopify-ingest-key-01"})
        assert sent.status_code == 200
        assert profiles.get(profiles.key("555")).purchases == [PRODUCTS[0]]
        request = {"shop_id": 1, "shop_domain": SHOP, "customer": {"id": 555, "email": "a@example.com"},
                   "orders_requested": [3], "data_request": {"id": 99}}
        held = deliver(client, "customers/data_request", request)
        assert held.json() == {"topic": "customers/data_request", "events_held": 4}
        assert f"data request 99: user id {profiles.key('555')}: 4 events" in caplog.text
        redact = {"shop_id": 1, "shop_domain": SHOP, "customer": {"id": 555, "email": "a@example.com"},
                  "orders_to_redact": [3]}
        assert deliver(client, "customers/redact", redact).json() == {"topic": "customers/redact", "erased": 4}
        left = {(e.get("order_id"), e.get("session_id"), e.get("user_id")) for e in logged(tmp_path)}
        assert left == {(None, "s-2", None), ("2", None, profiles.key("777"))}
        assert profiles.get(profiles.key("555")) is None
        for segment in segments(tmp_path / "events"):
            read_events(segment)  # blanked or rewritten, every segment still reads
        assert deliver(client, "customers/data_request", request).json()["events_held"] == 0


def test_shop_redact_erases_the_shops_orders_and_state(shop_client, tmp_path):
    deliver(shop_client, "orders/create", order(1, [(PRODUCTS[0], 1, "1.0")]))
    deliver(shop_client, "orders/create", order(2, [(PRODUCTS[1], 1, "1.0")], customer=None),
            shop="other.myshopify.com")
    deliver(shop_client, "products/update", product(PRODUCTS[0], inventory_item=880002))
    r = deliver(shop_client, "shop/redact", {"shop_id": 1, "shop_domain": SHOP})
    assert r.json() == {"topic": "shop/redact", "erased": 1}
    assert [e["order_id"] for e in logged(tmp_path)] == ["2"]
    assert WebhookState(tmp_path / "shopify").set_level(SHOP, "880002", "1", 0) is None


def test_shops_not_served_are_acknowledged_and_ignored(shop_tables, tmp_path):
    from edge.config import Settings
    from edge.serve.app import create_app

    settings = Settings.load(**settings_for(shop_tables, tmp_path, shopify_shops=SHOP.upper()))
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        r = deliver(client, "products/update", product(PRODUCTS[0], quantity=0), shop="elsewhere.myshopify.com")
        assert r.status_code == 200 and "not served" in r.json()["ignored"]
        assert PRODUCTS[0] in bestsellers(client)
        deliver(client, "products/update", product(PRODUCTS[0], quantity=0))
        assert PRODUCTS[0] not in bestsellers(client)


def test_unknown_topics_are_acknowledged(shop_client):
    r = deliver(shop_client, "collections/update", {"id": 1})
    assert r.status_code == 200 and r.json()["ignored"] == "topic not used by Skylt"


def test_a_product_image_or_handle_that_is_no_http_link_is_not_served(shop_client):
    item = PRODUCTS[2]
    payload = {**product(item), "image": {"src": "javascript:alert(1)"}, "handle": "x\ny"}
    assert deliver(shop_client, "products/update", payload).json() == {"topic": "products/update",
                                                                       "upserted": [item]}
    shown = bestsellers(shop_client)[item]
    assert shown["title"] == "Linen apron" and shown["url"] is None and shown["image"] is None
