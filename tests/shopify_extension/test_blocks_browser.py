"""Each app block rendered with liquidjs over fixture `product` / `cart` / `customer` objects, together with the
app embed, served from 127.0.0.1 and loaded in real Chromium against a live `skylt serve` over the demo data:
the slot shows the server's recommendations for that product or cart, in the shopper's language, in the chosen
layout, and the embed follows Shopify's customer privacy decision."""

from __future__ import annotations

import functools
import json
import shutil
import threading
import time
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from edge.identity import verify
from tests.conftest import Server
from tests.shopify_extension.conftest import THEME

KEY = "pk_shopify_browser"
IDENTITY_SECRET = "shopify-identity-secret-0001"  # the embed's setting and the server's identity_secrets
PRODUCT = {"id": "85123A", "handle": "white-hanging-heart-t-light-holder", "title": "White Hanging Heart"}
CUSTOMER = {"id": 6000001, "email": "shopper@example.com", "first_name": "Ada"}


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """A static server on 127.0.0.1 for the rendered pages and the extension's assets (/assets/...)."""
    root = tmp_path_factory.mktemp("shopify-shop")
    shutil.copytree(THEME / "assets", root / "assets")
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(root)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", root
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture(scope="module")
def skylt(demo_tables: Path, shop: tuple[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    events = tmp_path_factory.mktemp("shopify-events")
    srv = Server(demo_tables, env={"SKYLT_CORS_ORIGINS": shop[0], "SKYLT_INGEST_KEYS": KEY,
                                   "SKYLT_IDENTITY_SECRETS": IDENTITY_SECRET, "SKYLT_EVENT_LOG": str(events)})
    srv.events = events  # type: ignore[attr-defined]
    try:
        srv.wait_ready()
        yield srv
    finally:
        srv.stop()


def context(page_type: str, locale: str = "en", customer: dict[str, Any] | None = None,
            cart: list[str] | None = None, editor: bool = False) -> dict[str, Any]:
    return {"product": PRODUCT if page_type == "product" else None,
            "cart": {"items": [{"product_id": i, "quantity": 1} for i in cart or []]},
            "customer": customer, "shop": {"currency": "GBP"},
            "request": {"page_type": page_type, "locale": {"iso_code": locale}, "design_mode": editor},
            "localization": {"country": {"iso_code": "GB"}}, "routes": {"root_url": "/"}}


def open_shop_page(page: Any, liquid: Any, shop: tuple[str, Path], skylt: Any, block: str, ctx: dict[str, Any],
                   settings: dict[str, Any], locale: str = "en", consent: bool = True,
                   api_loaded: bool = False) -> dict[str, Any]:
    """Renders block + embed into a page, opens it with Shopify's privacy API answering `consent` (already
    loaded by the theme, or loaded on request), waits for the slot; returns its /v1/recommend URL, request headers
    and answer."""
    embed = liquid("embed", ctx, {"api_url": skylt.url, "public_key": KEY, "identity_secret": IDENTITY_SECRET}, locale)
    html = (f"<!doctype html><html lang='{locale}'><head><meta charset='utf-8'>"
            "<link rel='stylesheet' href='/assets/skylt-blocks.css'></head>"
            f"<body><main style='width:900px'>{liquid(block, ctx, settings, locale)}</main>{embed}</body></html>")
    name = f"{block}-{locale}-{int(consent)}-{time.monotonic_ns()}.html"
    (shop[1] / name).write_text(html)
    # Stands in for Shopify's customer privacy API, loaded on request with Shopify.loadFeatures.
    page.add_init_script(f"""window.Shopify = {{loadFeatures(features, done) {{
        if (features[0].name !== 'consent-tracking-api') return done(new Error('unknown feature'));
        window.Shopify.customerPrivacy = {{analyticsProcessingAllowed: () => {json.dumps(consent)}}};
        setTimeout(() => done(null), 10); }}}};
        if ({json.dumps(api_loaded)}) window.Shopify.loadFeatures([{{name: 'consent-tracking-api'}}], () => {{}});""")
    with page.expect_response(lambda r: "/v1/recommend" in r.url, timeout=20_000) as info:
        page.goto(f"{shop[0]}/{name}")
    response = info.value
    assert response.status == 200, response.text()
    page.wait_for_selector("skylt-slot[data-state=ready]", state="attached", timeout=20_000)
    assert page.skylt_log.errors == []
    return {"url": response.url, "headers": response.request.all_headers(), "body": response.json()}


def shown(page: Any) -> dict[str, Any]:
    return dict(page.evaluate("""() => {
        const slot = document.querySelector('skylt-slot');
        const row = slot.querySelector('.skylt-row');
        return {heading: slot.querySelector('.skylt-heading').textContent,
                names: [...slot.querySelectorAll('.skylt-name')].map((e) => e.textContent),
                links: [...slot.querySelectorAll('a.skylt-link')].map((a) => new URL(a.href).pathname),
                flow: getComputedStyle(row).gridAutoFlow, hidden: slot.hidden,
                stored: localStorage.getItem('skylt')};
    }"""))


def logged_events(skylt: Any) -> list[dict[str, Any]]:
    return [json.loads(line) for path in sorted(skylt.events.glob("*.jsonl"))
            for line in path.read_text().splitlines() if line.strip()]


def test_product_block_shows_the_servers_recommendations_for_the_product(page: Any, liquid: Any, shop: Any,
                                                                         skylt: Any) -> None:
    ctx = context("product", customer=CUSTOMER)
    answer = open_shop_page(page, liquid, shop, skylt, "product", ctx,
                            {"slot": "similar", "items": 4, "layout": "grid"}, api_loaded=True)
    query = parse_qs(urlsplit(answer["url"]).query)
    assert query["page"] == ["product"] and query["item"] == ["85123A"]
    assert query["slots"] == ["similar"] and query["n"] == ["4"]
    # Logged in and consenting: the customer with the token the embed signed, in a header.
    assert query["user"] == [str(CUSTOMER["id"])]
    assert verify(answer["headers"]["x-skylt-user-token"], str(CUSTOMER["id"]), [IDENTITY_SECRET])
    assert IDENTITY_SECRET not in page.content()
    # The same question asked directly gets the same answer: the page shows the server's recommendations.
    direct = httpx.get(answer["url"], headers={"X-Skylt-User-Token": answer["headers"]["x-skylt-user-token"]}).json()
    items = direct["slots"][0]["items"]
    assert 1 <= len(items) <= 4 and "85123A" not in [i["id"] for i in items]
    got = shown(page)
    assert got["names"] == [i["title"] for i in items]
    assert got["links"] == [f"/products/{i['id']}" for i in items]
    assert got["heading"] == "You may also like"
    assert got["flow"] == "row"  # grid layout
    # The embed recorded the product view; with consent it reaches the event log, the customer's token verified
    # (the log holds the customer's id hashed).
    page.evaluate("Skylt.flush()")
    deadline = time.monotonic() + 10
    while not any(e["type"] == "view" and e["item_id"] == "85123A" and e.get("user_id") for e in logged_events(skylt)):
        assert time.monotonic() < deadline, "the product view never reached the server with its customer"
        time.sleep(0.1)


def test_cart_block_in_swedish_recommends_around_the_cart(page: Any, liquid: Any, shop: Any, skylt: Any) -> None:
    cart = ["85123A", "22423", "85123A"]  # two variants of one product: one id
    answer = open_shop_page(page, liquid, shop, skylt, "cart", context("cart", "sv", cart=cart),
                            {"slot": "bought_together", "items": 6}, locale="sv")
    query = parse_qs(urlsplit(answer["url"]).query)
    assert query["page"] == ["cart"] and query["cart"] == ["22423,85123A"]
    ids = [i["id"] for i in answer["body"]["slots"][0]["items"]]
    assert ids and not {"22423", "85123A"} & set(ids)
    got = shown(page)
    assert got["heading"] == "Köps ofta tillsammans"
    assert len(got["names"]) == len(ids) <= 6
    assert got["flow"] == "row"  # the cart block's default layout is the grid
    # Consent came after the page loaded: the cart and the consent are stored once it did.
    page.wait_for_function("localStorage.getItem('skylt:consent') === '1'")
    stored = json.loads(page.evaluate("localStorage.getItem('skylt')"))
    assert [entry[0] for entry in stored["c"]] == ["85123A", "22423"]


def test_home_block_without_consent_stores_and_sends_nothing(page: Any, liquid: Any, shop: Any,
                                                             skylt: Any) -> None:
    sent: list[str] = []
    page.on("request", lambda r: sent.append(r.url) if "/v1/events" in r.url else None)
    answer = open_shop_page(page, liquid, shop, skylt, "home", context("index", customer=CUSTOMER),
                            {"slot": "bestsellers", "items": 5, "heading": "Our <b>favourites</b>"},
                            consent=False)
    query = parse_qs(urlsplit(answer["url"]).query)
    assert query["slots"] == ["bestsellers"] and "user" not in query  # no consent: the customer stays unnamed
    assert "x-skylt-user-token" not in answer["headers"]
    got = shown(page)
    assert len(got["names"]) == 5
    assert got["heading"] == "Our <b>favourites</b>"  # the merchant's heading, as text
    assert got["flow"] == "column"  # carousel: one scrolling row
    page.evaluate("Skylt.flush()")
    page.wait_for_timeout(300)
    assert sent == [] and got["stored"] is None


def test_theme_editor_shows_recommendations_and_records_nothing(page: Any, liquid: Any, shop: Any,
                                                                skylt: Any) -> None:
    sent: list[str] = []
    page.on("request", lambda r: sent.append(r.url) if "/v1/events" in r.url else None)
    answer = open_shop_page(page, liquid, shop, skylt, "product", context("product", customer=CUSTOMER, editor=True),
                            {"slot": "bought_together"}, api_loaded=True)
    assert "user" not in parse_qs(urlsplit(answer["url"]).query)
    got = shown(page)
    assert got["names"] and got["heading"] == "Frequently bought together"
    page.evaluate("Skylt.flush()")
    page.wait_for_timeout(300)
    assert sent == [] and got["stored"] is None and page.evaluate("Skylt.history()") == []


def test_the_cart_attributes_carry_the_session_and_the_clicked_slot(page: Any, liquid: Any, shop: Any,
                                                                    skylt: Any) -> None:
    """What orders/create will carry as note_attributes (edge/shopify/touches.py), written by the embed with
    requests whose body holds only `attributes`, and emptied when consent is withdrawn."""
    bodies: list[dict[str, Any]] = []

    def cart_update(route: Any) -> None:
        bodies.append(json.loads(route.request.post_data))
        route.fulfill(status=200, content_type="application/json", body="{}")

    page.route("**/cart/update.js", cart_update)
    settings = {"slot": "similar", "items": 4, "layout": "grid"}
    open_shop_page(page, liquid, shop, skylt, "product", context("product"), settings)
    page.evaluate("document.addEventListener('click', (e) => e.preventDefault())")  # stay on the page
    page.locator("a.skylt-link").first.click()
    clicked = page.locator("a.skylt-link").first.get_attribute("href").rsplit("/", 1)[-1]
    session = json.loads(page.evaluate("localStorage.getItem('skylt')"))["s"][0]
    open_shop_page(page, liquid, shop, skylt, "cart", context("cart", cart=[clicked]), {"slot": "addons"})
    deadline = time.monotonic() + 10
    while not any(b["attributes"]["_skylt_touches"] for b in bodies):
        assert time.monotonic() < deadline, f"no touches written: {bodies}"
        page.wait_for_timeout(50)
    assert all(list(b) == ["attributes"] for b in bodies)
    latest = bodies[-1]["attributes"]
    assert latest["_skylt_session"] == session
    [[item, request_id, slot]] = json.loads(latest["_skylt_touches"])
    assert (item, slot) == (clicked, "similar") and request_id
    written = len(bodies)
    open_shop_page(page, liquid, shop, skylt, "cart", context("cart", cart=[clicked]), {"slot": "addons"})
    page.wait_for_function("window.Skylt && Skylt.consented()")
    assert len(bodies) == written  # unchanged: not written again
    open_shop_page(page, liquid, shop, skylt, "cart", context("cart", cart=[clicked]), {"slot": "addons"},
                   consent=False)
    while bodies[-1]["attributes"] != {"_skylt_session": "", "_skylt_touches": ""}:
        assert time.monotonic() < deadline + 10, f"consent withdrawn, attributes kept: {bodies}"
        page.wait_for_timeout(50)
