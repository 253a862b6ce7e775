"""What the snippet tells the server: views, cart changes and clicks (with request_id and slot) reach the event log,
from the demo shop and from another origin; without consent nothing is stored or sent."""

from __future__ import annotations

import time
from typing import Any

import pytest

from edge.identity import sign
from tests.snippets.fakeshop import FakeShop
from tests.storefront.conftest import IDENTITY_SECRET, INGEST_KEY, ShopServer, read_events


def test_views_cart_changes_and_clicks_arrive_with_request_id_and_slot(page: Any, shop_server: ShopServer) -> None:
    page.set_default_timeout(5000)
    with page.expect_response(lambda r: "/v1/recommend?page=product" in r.url) as answer:
        page.goto(shop_server.shop("p/22423"))
    request_id = answer.value.json()["request_id"]
    link = page.wait_for_selector("section[data-slot=similar] a.skylt-link")
    clicked = link.get_attribute("href").rsplit("/", 1)[1]
    link.click()  # navigates away: the click goes out with a keepalive fetch on pagehide
    page.wait_for_url(f"**/p/{clicked}")
    session = page.evaluate("JSON.parse(localStorage.getItem('skylt')).s[0]")

    clicks = shop_server.wait_for_events(lambda e: e["type"] == "click" and e.get("session_id") == session)
    assert [(c["item_id"], c["request_id"], c["slot"]) for c in clicks] == [(clicked, request_id, "similar")]

    page.click("text=Add to cart")
    page.wait_for_url("**/storefront/cart")
    page.click("text=Remove")
    page.wait_for_url("**/storefront/cart")
    page.evaluate("Skylt.flush()")  # the keepalive fetch path, with the key in X-Skylt-Key
    mine = shop_server.wait_for_events(lambda e: e.get("session_id") == session and e["type"] == "remove")
    assert mine, read_events(shop_server.events)
    kinds = [(e["type"], e["item_id"]) for e in shop_server.wait_for_events(lambda e: e.get("session_id") == session)]
    assert ("view", "22423") in kinds and ("view", clicked) in kinds
    assert kinds.index(("cart", clicked)) < kinds.index(("remove", clicked))
    # The add to cart came from the slot the shopper clicked: attributed to that answer.
    carts = [e for e in read_events(shop_server.events) if e.get("session_id") == session and e["type"] == "cart"]
    assert [(e["item_id"], e.get("request_id"), e.get("slot")) for e in carts] == [(clicked, request_id, "similar")]


def test_every_rendered_slot_is_an_impression_and_a_known_shopper_is_stored_hashed(
        page: Any, shop_server: ShopServer, fake_shop: FakeShop) -> None:
    config = {"api": shop_server.url, "key": INGEST_KEY, "consent": True, "user": "shopper-42",
              "userToken": sign(IDENTITY_SECRET, "shopper-42"), "experiment": True}
    with page.expect_response(lambda r: "/v1/recommend?" in r.url) as answer:
        page.goto(fake_shop.page("impressions", config, '<skylt-slot page="product" item="85123A"></skylt-slot>'))
    assert "session=" in answer.value.url  # an experiment buckets by session as well as user
    data = answer.value.json()
    page.wait_for_selector("skylt-slot[data-state=ready] .skylt-card", timeout=5000)
    page.evaluate("Skylt.view('22423'); Skylt.flush()")
    session = page.evaluate("JSON.parse(localStorage.getItem('skylt')).s[0]")

    def shown() -> list[dict[str, Any]]:
        deadline = time.monotonic() + 5
        while True:
            found = [e for e in read_events(shop_server.events, "impressions") if e.get("session_id") == session]
            if len(found) >= len(data["slots"]) or time.monotonic() > deadline:
                return found
            time.sleep(0.05)

    expected = [(data["request_id"], s["slot"], data["bucket"], [i["id"] for i in s["items"]]) for s in data["slots"]]
    assert [(e["request_id"], e["slot"], e["bucket"], e["items"]) for e in shown()] == expected
    views = shop_server.wait_for_events(lambda e: e.get("session_id") == session and e["type"] == "view")
    assert {e["user_id"] for e in views} != {"shopper-42"} and len({e["user_id"] for e in views}) == 1


def test_another_origin_gets_slots_and_sends_events_through_cors(page: Any, shop_server: ShopServer,
                                                                  fake_shop: FakeShop) -> None:
    config = {"api": shop_server.url, "key": INGEST_KEY, "currency": "GBP", "consent": True}
    page.goto(fake_shop.page("cors", config, '<skylt-slot page="product" item="85123A"></skylt-slot>'))
    page.wait_for_selector("skylt-slot[data-state=ready] .skylt-card", timeout=5000)
    page.evaluate("Skylt.cart.add('22423', {quantity: 2, price: 12.75}); Skylt.flush()")
    session = page.evaluate("JSON.parse(localStorage.getItem('skylt')).s[0]")
    events = shop_server.wait_for_events(lambda e: e.get("session_id") == session and e["type"] == "cart")
    assert [(e["item_id"], e["quantity"], e["price"]) for e in events] == [("22423", 2, 12.75)]
    assert page.skylt_log.errors == [] and page.skylt_log.of_type("error") == []


@pytest.mark.parametrize("consent", [False, "required", None])  # None: not configured, the default
def test_without_consent_nothing_is_stored_or_sent(page: Any, shop_server: ShopServer, fake_shop: FakeShop,
                                                   consent: object) -> None:
    sent: list[str] = []
    page.on("request", lambda r: sent.append(r.url) if "/v1/events" in r.url else None)
    logged = len(read_events(shop_server.events))  # what another page may send on leaving counts too
    name = f"consent-{consent}"
    config: dict[str, object] = {"api": shop_server.url, "key": INGEST_KEY,
                                 "itemUrl": f"{fake_shop.url}/page/{name}?item={{id}}"}
    if consent is not None:
        config["consent"] = consent
    page.goto(fake_shop.page(name, config, '<skylt-slot page="product" item="85123A" slot="similar"></skylt-slot>'))
    link = page.wait_for_selector("a.skylt-link", timeout=5000)  # recommendations still show
    page.evaluate("Skylt.view('22423'); Skylt.cart.add('22423'); Skylt.purchase('o1', [{id: '22423'}]);"
                  " Skylt.click('22423', 'r', 'similar'); Skylt.flush()")
    assert page.evaluate("Skylt.history()") == ["85123A", "22423"]  # this page only, in memory
    link.click()
    page.wait_for_load_state()
    page.wait_for_timeout(500)
    assert page.evaluate("[localStorage.length, sessionStorage.length, document.cookie]") == [0, 0, ""]
    assert sent == []
    assert len(read_events(shop_server.events)) == logged
    if consent is not False:  # "required" and the default
        page.go_back()
        page.wait_for_function("window.Skylt")
        page.evaluate("Skylt.consent(true); Skylt.view('84879'); Skylt.flush()")
        session = page.evaluate("JSON.parse(localStorage.getItem('skylt')).s[0]")
        assert shop_server.wait_for_events(lambda e: e.get("session_id") == session and e["item_id"] == "84879")
        page.evaluate("Skylt.consent(false)")
        assert page.evaluate("localStorage.length") == 0
