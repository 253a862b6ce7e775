"""The demo shop in a real browser against a real server: every page type shows its slots, and what the shopper
does changes what the slots show."""

from __future__ import annotations

from typing import Any

from tests.storefront.conftest import ShopServer

READY = "skylt-slot[data-state=ready]"


def _slots(page: Any) -> dict[str, list[str]]:
    """Rendered slot name -> item ids (from the card links), in page order."""
    page.set_default_timeout(5000)
    for element in page.query_selector_all("skylt-slot"):
        element.scroll_into_view_if_needed()  # slots load only near the viewport
        page.wait_for_function("e => e.dataset.state === 'ready'", arg=element)
    return page.evaluate("""() => Object.fromEntries([...document.querySelectorAll('section.skylt')].map(s =>
        [s.dataset.slot, [...s.querySelectorAll('a.skylt-link')].map(a =>
            decodeURIComponent(a.getAttribute('href').split('/p/')[1]))]))""")


def test_every_page_type_renders_its_slots(page: Any, shop_server: ShopServer) -> None:
    page.goto(shop_server.shop())
    home = _slots(page)
    assert {"bestsellers", "trending", "for_you"} <= set(home) and all(len(v) >= 4 for v in home.values())

    page.goto(shop_server.shop("c/Christmas"))
    assert set(_slots(page)) == {"for_you"}
    assert page.text_content(".skylt-heading") == "For you in Christmas"

    page.goto(shop_server.shop("p/85123A"))
    product = _slots(page)
    assert {"similar", "bought_together"} <= set(product) and all("85123A" not in ids for ids in product.values())

    page.click("text=Add to cart")
    page.wait_for_url("**/storefront/cart")
    assert page.inner_text(".cart").startswith("White Hanging Heart T-Light Holder")
    cart = _slots(page)
    assert "bought_together" in cart and all("85123A" not in ids for ids in cart.values())
    assert page.evaluate("Skylt.cart.items()") == ["85123A"]
    assert page.skylt_log.errors == [] and page.skylt_log.of_type("warning") == []
    assert page.skylt_log.of_type("error") == []  # not even a failed request


def test_what_the_shopper_views_changes_for_you_and_reminders(page: Any, shop_server: ShopServer) -> None:
    page.goto(shop_server.shop())
    before = _slots(page)
    assert "recently_viewed" not in before

    page.goto(shop_server.shop("c/Garden"))
    products = page.eval_on_selector_all(".grid a", "els => els.slice(0, 3).map(a => a.getAttribute('href'))")
    viewed = [href.rsplit("/", 1)[1] for href in products]
    for href in products:
        page.goto(shop_server.url + href)
        page.wait_for_selector(READY)
    page.goto(shop_server.shop())
    after = _slots(page)
    assert after["recently_viewed"] == viewed[::-1]  # most recent first
    assert after["for_you"] != before["for_you"]
    assert not set(after["for_you"]) & set(viewed)

    page.goto(shop_server.url + products[0])
    page.click("text=Add to cart")
    page.wait_for_url("**/storefront/cart")
    cart = _slots(page)
    assert cart["reminders"] == viewed[:0:-1]  # viewed, not in the cart, most recent first
    assert cart["bought_together"]


def test_the_demo_shop_escapes_catalog_text_and_refuses_unknown_pages(page: Any, shop_server: ShopServer) -> None:
    response = page.goto(shop_server.shop("p/%3Cscript%3Ealert(1)%3C%2Fscript%3E"))
    assert response.status == 404
    assert page.evaluate("document.querySelectorAll('main script').length") == 0
    assert page.goto(shop_server.shop("c/No%20such")).status == 404
    assert page.goto(shop_server.shop("nothing.js")).status == 404
