"""Catalog text and URLs are data: HTML and script payloads render as inert text, unsafe links are dropped."""

from __future__ import annotations

from typing import Any

from tests.snippets.fakeshop import FakeShop, item, response

IMG = '<img src=x onerror="window.__pwned = 1">'
SVG = '"><svg onload="window.__pwned = 2">'
SCRIPT = "<script>window.__pwned = 3</script>"
HOSTILE = response(
    ("similar", [
        item("a", title=IMG, url="javascript:window.__pwned = 4", image="javascript:window.__pwned = 5",
             reason=SCRIPT),
        item("b", title=SVG, url="data:text/html,<script>window.__pwned = 6</script>",
             image="data:image/svg+xml,<svg onload='window.__pwned = 7'/>", rating=4.5, review_count=12),
        item("c", title="Plain mug", url="https://shop.example/p/c", image="https://cdn.example/c.jpg",
             currency="<b>GBP</b>"),
        item("d", title="  JAVASCRIPT:spaced", url=" JavaScript:window.__pwned = 8",
             image='x" onerror="window.__pwned=9'),
    ]),
    request_id='"><img src=x onerror="window.__pwned = 10">')
HOSTILE["slots"][0]["title"] = IMG


def test_hostile_catalog_text_renders_literally_and_never_runs(page: Any, fake_shop: FakeShop) -> None:
    api = fake_shop.api_json("hostile", HOSTILE)
    body = '<skylt-slot page="product" item="x"></skylt-slot><p id="after">after</p>'
    page.goto(fake_shop.page("hostile", {"api": api, "currency": "GBP", "locale": "en-GB",
                                         "itemUrl": "javascript:window.__pwned = 11//{id}"}, body))
    page.wait_for_selector("skylt-slot[data-state=ready] .skylt-card")
    page.wait_for_timeout(200)  # an injected onerror/onload would have fired by now

    names = page.eval_on_selector_all(".skylt-name", "els => els.map(e => e.textContent)")
    assert names == [IMG, SVG, "Plain mug", "  JAVASCRIPT:spaced"]
    assert page.text_content(".skylt-heading") == IMG
    assert page.text_content(".skylt-reason") == SCRIPT
    # Nothing the payloads carry became an element or an event handler attribute.
    assert page.evaluate("document.querySelectorAll('skylt-slot img[src=\"x\"], skylt-slot svg, skylt-slot script,"
                         " [onerror], [onload], skylt-slot b').length") == 0
    # Only the http(s) link survives (the itemUrl fallback is a javascript: URL too); the rest are plain cards.
    assert page.eval_on_selector_all("skylt-slot a", "els => els.map(a => a.getAttribute('href'))") == \
        ["https://shop.example/p/c"]
    srcs = page.eval_on_selector_all("skylt-slot img", "els => els.map(i => i.getAttribute('src'))")
    assert srcs[0] == "https://cdn.example/c.jpg" and all(s.startswith("http") for s in srcs)
    # Clicking the would-be links does nothing either.
    for card in page.query_selector_all(".skylt-link"):
        if card.get_attribute("href") is None:
            card.click()
    assert page.evaluate("window.__pwned") is None
    assert page.url.endswith("/page/hostile") and page.inner_text("#after") == "after"
    assert page.skylt_log.errors == []


def test_cards_are_accessible_and_prices_follow_the_locale(page: Any, fake_shop: FakeShop) -> None:
    api = fake_shop.api_json("plain", response(("similar", [item("a", price=1234.5, currency="EUR", rating=4.25,
                                                                   review_count=3)])))
    page.goto(fake_shop.page("locale", {"api": api, "locale": "de-DE", "currency": "EUR"},
                             '<skylt-slot page="product" item="x" heading="Dazu passt"></skylt-slot>'))
    page.wait_for_selector(".skylt-card")
    assert page.text_content(".skylt-price") == "1.234,50\xa0€"
    assert page.get_attribute(".skylt-rating", "aria-label") == "Rated 4.3 out of 5"
    heading = page.query_selector(".skylt-heading")
    assert heading.text_content() == "Dazu passt"
    assert page.get_attribute("section.skylt", "aria-labelledby") == heading.get_attribute("id")
    assert page.get_attribute(".skylt-row", "role") == "list"
