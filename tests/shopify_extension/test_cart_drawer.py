"""The app embed on a Dawn-like page in real Chromium: a cart row in the theme's cart drawer that asks again after
every cart change (Ajax Cart API writes by fetch or XHR, theme events, a re-rendered drawer) but not after Skylt's
own cart-attribute writes; and in a second market with a language path, prices in that market's currency and links
under its path. The shop (its pages, /cart.js and /cart/*.js) and the Skylt API are stood in for by the browser's
request routing, so every request the page makes is seen."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.shopify_extension.conftest import THEME

SHOP = "http://shop.test"
API = "http://skylt.test"
KEY = "pk-shopify-drawer-0001"
ANSWER_ITEMS = [
    {"id": "7002", "title": "Hat", "price": 10.0, "url": "https://acme.myshopify.com/products/hat"},
    {"id": "7003", "title": "Scarf", "price": 24.5, "url": "https://acme.example/fr/products/scarf?variant=9"},
]
DRAWER = """<cart-drawer class="drawer active"><div id="CartDrawer" class="cart-drawer"><div class="drawer__inner">
  <div class="drawer__contents"><p class="line">Mug</p></div>
  <div class="drawer__footer"><button>Check out</button></div></div></div></cart-drawer>"""


def context(root: str = "/", cart: list[str] | None = None) -> dict[str, Any]:
    return {"product": None, "cart": {"items": [{"product_id": i, "quantity": 1} for i in cart or []]},
            "customer": None, "shop": {"currency": "GBP"},
            "request": {"page_type": "index", "locale": {"iso_code": "en"}, "design_mode": False},
            "localization": {"country": {"iso_code": "GB"}}, "routes": {"root_url": root.rstrip("/") or "/"}}


class FakeShop:
    """The shop's pages and Ajax Cart API, and Skylt's /v1/recommend, answered inside the browser."""

    def __init__(self, page: Any, html: dict[str, str], cart: list[str]) -> None:
        self.html, self.cart = html, list(cart)
        self.recommends: list[dict[str, list[str]]] = []
        page.route(f"{SHOP}/**", self.shop)
        page.route(f"{API}/**", self.api)

    def shop(self, route: Any) -> None:
        request = route.request
        path = urlsplit(request.url).path
        if path.startswith("/assets/"):
            route.fulfill(path=str(THEME / "assets" / path.rsplit("/", 1)[1]))
        elif path.endswith("/cart.js"):
            route.fulfill(json={"items": [{"product_id": int(p), "quantity": 1} for p in self.cart]})
        elif path.endswith(("/cart/add.js", "/cart/add")):
            body = request.post_data or ""
            product = json.loads(body)["product_id"] if body.startswith("{") else parse_qs(body)["product_id"][0]
            self.cart.append(str(product))
            route.fulfill(json={"product_id": int(product), "quantity": 1})
        elif "/cart/" in path:  # change, update, clear
            route.fulfill(json={"items": [{"product_id": int(p)} for p in self.cart]})
        else:
            route.fulfill(body=self.html[path], content_type="text/html")

    def api(self, route: Any) -> None:
        self.recommends.append(parse_qs(urlsplit(route.request.url).query))
        slot = self.recommends[-1].get("slots", ["bestsellers"])[0]
        route.fulfill(json={"request_id": f"r{len(self.recommends)}", "page": "cart", "slots": [
            {"slot": slot, "items": [dict(i) for i in ANSWER_ITEMS]}]}, headers={"Access-Control-Allow-Origin": "*"})


def open_page(page: Any, liquid: Any, path: str, body: str, ctx: dict[str, Any], shopify: dict[str, Any],
              cart: list[str]) -> FakeShop:
    embed = liquid("embed", ctx, {"api_url": API, "public_key": KEY, "consent": "none"})
    html = f"<!doctype html><html lang='en'><head><meta charset='utf-8'></head><body>{body}{embed}</body></html>"
    fake = FakeShop(page, {path: html}, cart)
    page.add_init_script(f"""window.Shopify = {json.dumps(shopify)}; window.cartChanges = [];
        document.addEventListener('skylt:cartchange', (e) => window.cartChanges.push(e.detail.source));""")
    page.goto(SHOP + path)
    return fake


def drawer_row(page: Any) -> dict[str, Any]:
    page.wait_for_selector("cart-drawer skylt-slot[data-skylt-drawer][data-state=ready]", state="attached",
                           timeout=20_000)
    return dict(page.evaluate("""() => {
        const slot = document.querySelector('skylt-slot[data-skylt-drawer]');
        return {next: slot.nextElementSibling.className, slot: slot.getAttribute('slot'),
                heading: slot.querySelector('.skylt-heading').textContent,
                names: [...slot.querySelectorAll('.skylt-name')].map((e) => e.textContent)};
    }"""))


def test_the_drawer_shows_a_cart_row_that_follows_cart_changes_but_not_skylts_attribute_writes(page, liquid):
    fake = open_page(page, liquid, "/", f"<main>Home</main>{DRAWER}", context(cart=["7001"]),
                     {"routes": {"root": "/"}}, cart=["7001"])
    assert drawer_row(page) == {"next": "drawer__footer", "slot": "bought_together",
                                "heading": "Frequently bought together", "names": ["Hat", "Scarf"]}
    assert fake.recommends[0]["cart"] == ["7001"] and fake.recommends[0]["page"] == ["cart"]

    # Skylt's own writes of the shopper's session and touches into cart attributes change no line: no refresh.
    changes = page.evaluate("""async () => {
        const post = (body, type) => fetch('/cart/update.js', {method: 'POST', body,
            headers: {'Content-Type': type}});
        await post(JSON.stringify({attributes: {_skylt_session: 's1', _skylt_touches: '7002'}}), 'application/json');
        await post('attributes%5B_skylt_session%5D=s1', 'application/x-www-form-urlencoded');
        return window.cartChanges.slice(); }""")
    assert changes == []

    # An add to cart (the Ajax Cart API, as themes call it): the row asks again with the new cart.
    with page.expect_request(lambda r: r.url.startswith(API) and "7004" in r.url, timeout=20_000) as asked:
        changes = page.evaluate("""async () => {
            await fetch('/cart/add.js', {method: 'POST', body: JSON.stringify({id: 41, product_id: 7004}),
                                         headers: {'Content-Type': 'application/json'}});
            return window.cartChanges.slice(); }""")
    assert changes == ["fetch"]
    assert parse_qs(urlsplit(asked.value.url).query)["cart"] == ["7001,7004"]

    # The theme re-renders its drawer (Dawn does after each change): the row is placed again.
    page.evaluate("""() => { document.querySelector('#CartDrawer').innerHTML =
        '<div class="drawer__inner"><div class="drawer__footer">Check out</div></div>'; }""")
    assert drawer_row(page)["names"] == ["Hat", "Scarf"]

    # A line changed with an update (not only attributes), by XHR, and a theme's own event: each is a change.
    page.evaluate("""() => {
        const x = new XMLHttpRequest(); x.open('POST', '/cart/add'); x.setRequestHeader('Content-Type',
            'application/x-www-form-urlencoded'); x.send('product_id=7005&quantity=1');
        fetch('/cart/update.js', {method: 'POST', body: JSON.stringify({updates: {41: 2}, attributes: {a: 1}})});
        document.dispatchEvent(new CustomEvent('cart:updated')); }""")
    page.wait_for_function("window.cartChanges.length >= 4", timeout=20_000)
    assert sorted(page.evaluate("window.cartChanges")) == ["cart:updated", "fetch", "fetch", "xhr"]
    page.wait_for_function("""() => [...document.querySelectorAll('skylt-slot')].every(
        (s) => s.dataset.state === 'ready')""", timeout=20_000)
    with page.expect_request(lambda r: r.url.startswith(API) and "7005" in r.url, timeout=20_000):
        page.evaluate("document.dispatchEvent(new CustomEvent('cart:change'))")
    assert page.skylt_log.errors == []


def test_no_row_when_the_selector_finds_nothing(page, liquid):
    ctx = context()
    open_page(page, liquid, "/", "<main>No drawer here</main>", ctx, {"routes": {"root": "/"}}, cart=[])
    page.wait_for_function("window.Skylt !== undefined", timeout=20_000)
    assert page.evaluate("document.querySelectorAll('skylt-slot').length") == 0
    assert page.skylt_log.errors == []


@pytest.mark.parametrize(("currency", "prices"), [({"active": "EUR", "rate": "1.2"}, ["€12.00", "€29.40"]),
                                                  ({"active": "GBP", "rate": "1.0"}, ["£10.00", "£24.50"])])
def test_a_second_markets_page_shows_its_currency_and_keeps_its_path(page, liquid, currency, prices):
    ctx = context(root="/en-eu/")
    block = liquid("home", ctx, {"slot": "bestsellers", "items": 4, "layout": "grid"})
    open_page(page, liquid, "/en-eu/", f"<main>{block}</main>", ctx,
              {"routes": {"root": "/en-eu/"}, "currency": currency}, cart=[])
    page.wait_for_selector("skylt-slot[data-state=ready]", state="attached", timeout=20_000)
    shown = page.evaluate("""() => ({
        prices: [...document.querySelectorAll('.skylt-price')].map((e) => e.textContent),
        links: [...document.querySelectorAll('a.skylt-link')].map((a) => a.href)})""")
    assert shown["prices"] == prices
    assert shown["links"] == [f"{SHOP}/en-eu/products/hat", f"{SHOP}/en-eu/products/scarf"]
    assert page.skylt_log.errors == []
