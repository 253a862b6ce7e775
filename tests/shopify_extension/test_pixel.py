"""The web pixel (extensions/skylt-pixel/src/index.js) run in node by plugins/shopify/test/pixel-harness.mjs,
over event payloads in the shapes Shopify documents for product_added_to_cart and checkout_completed. What it
sends must be what POST /v1/events accepts: each body also goes to the real app."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.shopify_extension.conftest import needs_packages, run_script

KEY = "pk_shopify_test_key"
SETTINGS = {"apiUrl": "https://reco.shop.example/", "publicKey": KEY, "purchases": "pixel"}
ALLOWED = {"analyticsProcessingAllowed": True, "marketingAllowed": False, "preferencesProcessingAllowed": False,
           "saleOfDataAllowed": False}
DENIED = {**ALLOWED, "analyticsProcessingAllowed": False}
NOW = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())


def money(amount: float) -> dict[str, Any]:
    return {"amount": amount, "currencyCode": "GBP"}


def variant(product_id: str, price: float) -> dict[str, Any]:
    return {"id": "4455667788", "image": {"src": "https://cdn.shopify.com/x.jpg"}, "price": money(price),
            "sku": None, "title": "Default Title", "untranslatedTitle": "Default Title",
            "product": {"id": product_id, "title": "Mug", "type": "Kitchen", "untranslatedTitle": "Mug",
                        "url": "/products/mug", "vendor": "Skylt"}}


def added_to_cart(product_id: str = "7982301234", quantity: int = 2) -> dict[str, Any]:
    return {"id": "sh-1", "name": "product_added_to_cart", "type": "standard", "clientId": "client-1", "seq": 3,
            "timestamp": NOW, "context": {},
            "data": {"cartLine": {"cost": {"totalAmount": money(19.0)}, "merchandise": variant(product_id, 9.5),
                                  "quantity": quantity}}}


def checkout_completed() -> dict[str, Any]:
    lines = [
        {"id": "l1", "quantity": 3, "title": "Mug", "variant": variant("gid://shopify/Product/111", 10.0),
         "finalLinePrice": money(27.0), "discountAllocations": [], "properties": [], "sellingPlanAllocation": None},
        {"id": "l2", "quantity": 1, "title": "Plate", "variant": variant("222", 4.25),
         "finalLinePrice": money(4.25), "discountAllocations": [], "properties": [], "sellingPlanAllocation": None},
        {"id": "l3", "quantity": 1, "title": "Tip", "variant": None, "finalLinePrice": money(2.0),
         "discountAllocations": [], "properties": [], "sellingPlanAllocation": None},
    ]
    checkout = {"currencyCode": "GBP", "lineItems": lines, "order": {"id": "5550001", "customer": None},
                "token": "tok-1", "totalPrice": money(33.25), "email": "shopper@example.com"}
    return {"id": "sh-2", "name": "checkout_completed", "type": "standard", "clientId": "client-1", "seq": 9,
            "timestamp": NOW, "context": {}, "data": {"checkout": checkout}}


def run(steps: list[dict[str, Any]], privacy: dict[str, Any] = ALLOWED,
        settings: dict[str, Any] = SETTINGS, storage: dict[str, str] | None = None,
        pixel: str | None = None) -> dict[str, Any]:
    needs_packages("@shopify/web-pixels-extension")
    out = run_script("pixel-harness.mjs", {"settings": settings, "customerPrivacy": privacy,
                                           "localStorage": storage or {}, "steps": steps, "pixel": pixel})
    return dict(json.loads(out))


def cart_step() -> dict[str, Any]:
    return {"event": "product_added_to_cart", "payload": added_to_cart()}


@pytest.fixture(scope="module")
def ingest(demo_tables: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The real app with an ingest key: what the pixel sends must be accepted whole, through the CORS preflight a
    browser makes from the pixel's sandbox (opaque origin: `Origin: null`, allowed by listing "null")."""
    from starlette.testclient import TestClient

    from edge.config import Settings
    from edge.serve.app import create_app

    events = tmp_path_factory.mktemp("pixel-events")
    app = create_app(Settings.load(tables=str(demo_tables), poll_seconds=3600.0, ingest_keys=KEY,
                                   event_log=str(events), cors_origins="https://shop.example,null"))
    with TestClient(app, raise_server_exceptions=False) as client:
        def post(sent: dict[str, Any]) -> dict[str, Any]:
            url = urlsplit(sent["url"])
            preflight = client.options(url.path, headers={"Origin": "null", "Access-Control-Request-Method": "POST",
                                                          "Access-Control-Request-Headers": "content-type,x-skylt-key"})
            assert preflight.status_code == 200, preflight.text
            response = client.post(url.path, content=json.dumps(sent["body"]), headers={
                "Origin": "null", "Content-Type": sent["contentType"], "X-Skylt-Key": sent["key"]})
            assert response.status_code == 200, response.text
            assert response.headers["access-control-allow-origin"] == "null"
            return dict(response.json())
        yield post


def test_add_to_cart_is_one_cart_event_sent_by_keepalive_fetch_with_the_key_in_a_header(ingest: Any) -> None:
    out = run([cart_step()])
    assert out["subscribed"] == ["checkout_completed", "product_added_to_cart"]
    [sent] = out["sent"]  # never a beacon: it cannot carry the key header
    assert (sent["via"], sent["method"], sent["keepalive"]) == ("fetch", "POST", True)
    assert (sent["key"], sent["contentType"]) == (KEY, "application/json")
    url = urlsplit(sent["url"])
    assert (url.scheme, url.netloc, url.path, url.query) == ("https", "reco.shop.example", "/v1/events", "")
    assert sent["body"] == {"events": [{"type": "cart", "item": "7982301234", "session": "client-1", "ts": NOW,
                                        "quantity": 2, "price": 9.5}]}
    assert ingest(sent) == {"accepted": 1, "not_stored": 0, "rejected": [], "unsigned": []}


def test_checkout_is_one_purchase_per_product_line(ingest: Any) -> None:
    [sent] = run([{"event": "checkout_completed", "payload": checkout_completed()}])["sent"]
    assert sent["body"]["events"] == [
        # The price paid per unit (after discounts); gid ids reduced to the numeric id; the tip line has no product.
        {"type": "purchase", "item": "111", "order": "5550001", "session": "client-1", "ts": NOW, "quantity": 3,
         "price": 9.0},
        {"type": "purchase", "item": "222", "order": "5550001", "session": "client-1", "ts": NOW, "quantity": 1,
         "price": 4.25},
    ]
    assert ingest(sent)["accepted"] == 2


def test_purchases_are_left_to_the_webhook_unless_the_pixel_is_asked() -> None:
    steps = [{"event": "checkout_completed", "payload": checkout_completed()}, cart_step()]
    for settings in ({**SETTINGS, "purchases": "webhook"}, {"apiUrl": SETTINGS["apiUrl"], "publicKey": KEY}):
        out = run(steps, settings=settings)
        assert out["subscribed"] == ["product_added_to_cart"]
        assert [e["type"] for s in out["sent"] for e in s["body"]["events"]] == ["cart"]


def test_checkout_without_an_order_id_uses_the_checkout_token() -> None:
    payload = checkout_completed()
    payload["data"]["checkout"]["order"] = None
    [sent] = run([{"event": "checkout_completed", "payload": payload}])["sent"]
    assert {e["order"] for e in sent["body"]["events"]} == {"tok-1"}


def test_nothing_is_sent_without_analytics_consent() -> None:
    steps = [cart_step(), {"event": "checkout_completed", "payload": checkout_completed()}]
    assert run(steps, privacy=DENIED)["sent"] == []
    assert run(steps, privacy={})["sent"] == []  # no decision known: no consent


def test_consent_given_and_withdrawn_on_the_page() -> None:
    out = run([cart_step(), {"consent": ALLOWED}, cart_step(), {"consent": DENIED}, cart_step()], privacy=DENIED)
    assert len(out["sent"]) == 1  # only the add made while consent was given


def test_a_large_order_is_split_within_the_keepalive_budget(ingest: Any) -> None:
    payload = checkout_completed()
    lines = payload["data"]["checkout"]["lineItems"]
    ids = [str(8_000_000_000_000 + i) for i in range(500)]
    payload["data"]["checkout"]["lineItems"] = [{**lines[0], "id": f"l{i}", "variant": variant(product, 3.0)}
                                                for i, product in enumerate(ids)]
    sent = run([{"event": "checkout_completed", "payload": payload}])["sent"]
    assert len(sent) > 1 and all(s["keepalive"] and s["bytes"] <= 16384 + 16 for s in sent)
    # More than keepalive allows in flight in all, so one body at a time.
    assert sum(s["bytes"] for s in sent) > 65536 and {s["inFlight"] for s in sent} == {0}
    assert [e["item"] for s in sent for e in s["body"]["events"]] == ids  # every line, in order, once
    assert sum(ingest(s)["accepted"] for s in sent) == 500


def test_the_storefront_session_joins_cart_and_views_while_fresh() -> None:
    fresh = json.dumps({"v": [], "c": [], "s": ["abc123", int(time.time() * 1000) - 60_000]})
    stale = json.dumps({"v": [], "c": [], "s": ["abc123", int(time.time() * 1000) - 3_600_000]})
    assert run([cart_step()], storage={"skylt": fresh})["sent"][0]["body"]["events"][0]["session"] == "abc123"
    assert run([cart_step()], storage={"skylt": stale})["sent"][0]["body"]["events"][0]["session"] == "client-1"
    assert run([cart_step()], storage={"skylt": "{not json"})["sent"][0]["body"]["events"][0]["session"] == "client-1"


def test_unconfigured_pixel_subscribes_to_nothing() -> None:
    out = run([cart_step()], settings={"apiUrl": "", "publicKey": KEY})
    assert out == {"sent": [], "subscribed": []}


def test_cart_and_checkout_events_carry_the_slot_the_item_was_clicked_in(ingest: Any) -> None:
    now = int(time.time() * 1000)
    storage = {"skylt": json.dumps({"s": ["abc123", now], "a": [["7982301234", now, "req-1", "similar"],
                                                                 ["111", now, "req-2", "for_you"], ["bad"]]})}
    [sent] = run([cart_step()], storage=storage)["sent"]
    [event] = sent["body"]["events"]
    assert (event["item"], event["request_id"], event["slot"]) == ("7982301234", "req-1", "similar")
    [sent] = run([{"event": "checkout_completed", "payload": checkout_completed()}], storage=storage)["sent"]
    mug, plate = sent["body"]["events"]
    assert (mug["request_id"], mug["slot"]) == ("req-2", "for_you") and "slot" not in plate
    assert ingest(sent)["accepted"] == 2
