"""The measured loop on the real shop (WooCommerce from ../shared/vendor, block checkout, cash on delivery): a card
of "Similar items" clicked, that product added to the cart (a `cart` event carrying the touch), the order placed,
forwarded with the session and touches it stored, and attributed to product/similar by `skylt report`."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
import pytest

from edge.report.compute import compute
from edge.report.load import load
from tests.woocommerce_plugin.test_woocommerce_e2e import Shop, shop  # noqa: F401 - the shop fixture

pytestmark = pytest.mark.slow

SIMILAR_PRODUCTS = """
    update_option('woocommerce_default_country', 'GB');
    update_option('woocommerce_cod_settings', ['enabled' => 'yes', 'title' => 'Cash on delivery',
                                               'enable_for_virtual' => 'yes']);
    $out = [];
    $ids = [];
    foreach (json_decode(getenv('ITEMS'), true) as $item) {
        $p = new WC_Product_Simple();
        $p->set_name('Similar ' . $item);
        $p->set_sku($item);
        $p->set_regular_price('4.25');
        $p->set_virtual(true);
        $p->set_status('publish');
        $p->save();
        $out[$item] = get_permalink($p->get_id());
        $ids[$item] = $p->get_id();
    }
    update_option('skylt_settings', array_merge(Skylt_Settings::all(), ['checkout_enabled' => true,
                                                                       'checkout_slots' => ['addons']]));
    echo json_encode(['products' => $out, 'ids' => $ids, 'checkout' => wc_get_checkout_url()]);
"""


def test_a_similar_item_bought_at_the_block_checkout_is_attributed_to_the_slot(shop: Shop, page: Any) -> None:  # noqa: F811
    answer = httpx.get(f"{shop.api.url}/v1/recommend", params={"page": "product", "item": "85123A",
                                                               "slots": "similar", "n": "4"}).json()
    items = [i["id"] for i in answer["slots"][0]["items"]]
    made = json.loads(shop.php(SIMILAR_PRODUCTS, ITEMS=json.dumps(items)))
    assert shop.run_queue() == []  # the catalog upserts: the cards now link to the shop's product pages

    page.set_default_timeout(30_000)
    page.goto(shop.product["url"])
    page.locator("skylt-slot").scroll_into_view_if_needed()
    link = page.locator("section[data-slot=similar] a.skylt-link").first
    link.wait_for()
    href = link.get_attribute("href")
    clicked = next(item for item, url in made["products"].items() if url == href)
    link.click()
    page.wait_for_url(href)
    page.locator("form.cart button[type=submit], button[name=add-to-cart]").first.click()
    page.wait_for_load_state()
    session = page.evaluate("JSON.parse(localStorage.getItem('skylt')).s[0]")
    page.evaluate("Skylt.flush()")
    deadline = time.monotonic() + 20
    while not (carts := [e for e in logged(shop) if e["type"] == "cart" and e.get("session_id") == session]):
        assert time.monotonic() < deadline, "no cart event from the classic add to cart"
        time.sleep(0.1)
    assert [(e["item_id"], e.get("slot")) for e in carts] == [(clicked, "similar")]

    # The block checkout: one more of the same item through the Store API (what the blocks' buttons call).
    page.goto(made["checkout"])
    page.wait_for_function("window.wp && wp.apiFetch && window.Skylt")
    page.evaluate("""id => wp.apiFetch({path: '/wc/store/v1/cart/add-item', method: 'POST',
                                        data: {id: id, quantity: 1}})""", made["ids"][clicked])
    page.evaluate("Skylt.flush()")
    deadline = time.monotonic() + 30
    while len(carts := [e for e in logged(shop) if e["type"] == "cart" and e.get("session_id") == session]) < 2:
        assert time.monotonic() < deadline, f"no cart event from the Store API add: {page.evaluate('document.cookie')}"
        page.wait_for_timeout(100)
        page.evaluate("Skylt.flush()")
    assert [(e["item_id"], e.get("slot")) for e in carts] == [(clicked, "similar")] * 2
    page.reload()
    page.get_by_label("Email address").fill("shopper@example.com")
    for label, value in (("First name", "Ann"), ("Last name", "Shopper"), ("Address", "1 High Street"),
                         ("City", "London"), ("Postcode", "SW1A 1AA")):
        field = page.get_by_label(label, exact=True)
        if field.count():
            field.first.fill(value)
    page.get_by_role("button", name="Place order").click()
    page.wait_for_url(lambda url: "order-received" in url, timeout=60_000)
    assert shop.run_queue() == []
    bought = [e for e in shop.purchases() if e["item_id"] == clicked]
    assert len(bought) == 1, shop.purchases()
    assert (bought[0]["session_id"], bought[0]["slot"], bought[0].get("currency")) == (session, "similar", "USD")
    assert "source" not in bought[0]  # the shop's server reported it: it counts
    report = compute(*load(shop.events))
    [row] = [r for r in report.slots if (r.page, r.slot) == ("product", "similar")]
    assert (row.purchases, row.revenue, row.currency) == (1, 8.5, "USD")  # one line, quantity 2
    assert page.skylt_log.errors == []


def logged(site: Shop) -> list[dict[str, Any]]:
    return [json.loads(line) for f in sorted(site.events.glob("events-*.jsonl"))
            for line in f.read_text().splitlines() if line.strip()]
