"""A hostile catalog update (through the real catalog overlay) shows as inert text on the shop's own pages and in
the snippet's cards; its javascript: URL is refused before it reaches the catalog."""

from __future__ import annotations

from typing import Any

import httpx

from tests.storefront.conftest import ADMIN_KEY, ShopServer
from tests.waiting import wait_until

TITLE = '<img src=x onerror="window.__pwned = 1"><script>window.__pwned = 2</script>'
URL = "javascript:window.__pwned = 3"
SHOWN_ON = "21212"  # a product whose similar slot leads with the item we rename


def _put(server: ShopServer, item: dict[str, Any]) -> None:
    answer = httpx.put(f"{server.url}/v1/catalog/items", json={"items": [item]}, timeout=5,
                       headers={"Authorization": f"Bearer {ADMIN_KEY}"})
    assert answer.status_code == 200, answer.text


def _similar(server: ShopServer) -> dict[str, Any]:
    got = httpx.get(f"{server.url}/v1/recommend", params={"page": "product", "item": SHOWN_ON, "slots": "similar"})
    return dict(got.json()["slots"][0]["items"][0])


def test_hostile_titles_and_urls_stay_text(page: Any, shop_server: ShopServer) -> None:
    original = _similar(shop_server)
    refused = httpx.put(f"{shop_server.url}/v1/catalog/items", json={"items": [{"id": original["id"], "url": URL}]},
                        headers={"Authorization": f"Bearer {ADMIN_KEY}"}, timeout=5)
    assert refused.status_code == 422 and refused.json()["field"] == "items[0].url"
    _put(shop_server, {"id": original["id"], "title": TITLE})
    try:
        # Every worker applies the overlay within a second.
        wait_until(lambda: _similar(shop_server)["title"] == TITLE, timeout=5, what="the new title shown")
        page.set_default_timeout(5000)
        page.goto(shop_server.shop(f"p/{SHOWN_ON}"))
        card = page.wait_for_selector("section[data-slot=similar] .skylt-card")
        assert card.eval_on_selector(".skylt-name", "e => e.textContent") == TITLE
        # The unsafe URL never reached the catalog: the card links to the shop's own product page.
        assert card.eval_on_selector(".skylt-link", "e => e.getAttribute('href')") == \
            shop_server.shop(f"p/{original['id']}")
        card.click()
        page.wait_for_url(f"**/p/{original['id']}")
        assert page.text_content("h1") == TITLE and page.title().startswith(TITLE)
        page.wait_for_timeout(200)
        assert page.evaluate("[window.__pwned, document.querySelectorAll('img[src=x], main script').length]") == \
            [None, 0]
        assert page.skylt_log.errors == []
    finally:
        # A url cannot be unset; the shop's own page is what the other tests' cards link to anyway.
        _put(shop_server, {"id": original["id"], "title": original["title"],
                           "url": f"/storefront/p/{original['id']}"})
