"""The plugin on today's stores, in Chromium: WordPress 6.8.8 + WooCommerce 10.0.2 from ../shared/vendor, once with
Twenty Twenty-Five (a block theme) and once with Twenty Twenty-One (Debian's, classic), each with WooCommerce's
block Cart and Checkout pages and a live `skylt serve` on the demo tables.

The Skylt inner block sits inside the Cart and Checkout blocks; the mini-cart (the Mini-Cart block's drawer, the
classic widget), the product page and the order-received page show their slots; a cart change made through the
Store API reaches the slot's next request; card prices read as the shop's own, with tax display on and off.
"""

from __future__ import annotations

import functools
import json
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest import mock
from urllib.parse import parse_qs, urlparse

import httpx
import pytest

from tests.conftest import Server
from tests.woocommerce_plugin.conftest import Release
from tests.woocommerce_plugin.wordpress import MariaDB, Site

pytestmark = pytest.mark.slow

INGEST, ADMIN, SERVER = "pk-blocks-public-ingest", "sk-blocks-secret-admin", "srv-blocks-secret-server"
THEMES = ["twentytwentyfive", "twentytwentyone"]

SETUP = """
    switch_theme(getenv('THEME'));
    // WooCommerce 10.0.2 asks for its cache engine as WPCacheEngine (the file is WpCacheEngine.php), so on a
    // case-sensitive file system its first-admin-visit tasks (switching a new shop to HPOS) die on every admin page:
    // they are skipped here, and the shop keeps its orders in posts. One of them puts the Mini-Cart block into block
    // themes' headers through block hooks: set as they set it.
    update_option('woocommerce_newly_installed', 'no');
    update_option('woocommerce_hooked_blocks_version', WC_VERSION);
    update_option('woocommerce_coming_soon', 'no');
    update_option('skylt_settings', Skylt_Settings::sanitize(json_decode(getenv('SKYLT_SETTINGS'), true)));
    // The merchant's placement: the Skylt inner block inside the Cart block's items and the Checkout's fields.
    $place = function ($page, $area) {
        $post = get_post(wc_get_page_id($page));
        $close = "</div>\n<!-- /wp:woocommerce/$area -->";  // the area's last inner block goes before its </div>
        $content = str_replace($close, "<!-- wp:skylt/cart-slot /-->\n" . $close, $post->post_content, $count);
        if (1 !== $count) { fwrite(STDERR, "no $area in the $page page"); exit(1); }
        wp_update_post(['ID' => $post->ID, 'post_content' => $content]);
    };
    $place('cart', 'cart-items-block');
    $place('checkout', 'checkout-fields-block');
    // The classic theme's mini-cart: WooCommerce's cart widget in the footer sidebar.
    update_option('widget_woocommerce_widget_cart', [2 => ['title' => 'Cart', 'hide_if_empty' => 0],
                                                    '_multiwidget' => 1]);
    update_option('sidebars_widgets', ['wp_inactive_widgets' => [], 'sidebar-1' => ['woocommerce_widget_cart-2'],
                                       'array_version' => 3]);
    update_option('woocommerce_enable_ajax_add_to_cart', 'yes');
    update_option('woocommerce_currency', 'GBP');  // the demo catalog's currency, as a shop's own import has its own
    $cat = wp_insert_term('Lights', 'product_cat');
    $made = [];
    foreach (json_decode(getenv('PRODUCTS'), true) as $sku => $price) {
        $p = new WC_Product_Simple();
        $p->set_name('Skylt ' . $sku);
        $p->set_sku($sku);
        $p->set_regular_price($price);
        $p->set_category_ids([$cat['term_id']]);
        $p->set_status('publish');
        $p->save();
        $made[$sku] = ['id' => $p->get_id(), 'url' => get_permalink($p->get_id())];
    }
    echo json_encode(['products' => $made, 'cart' => wc_get_cart_url(), 'checkout' => wc_get_checkout_url(),
                      'shop' => get_permalink(wc_get_page_id('shop'))]);
"""
RUN_QUEUE = """
    ActionScheduler_QueueRunner::instance()->run('skylt-test');
"""
ORDER = """
    $order = wc_create_order();
    $order->add_product(wc_get_product((int) getenv('PRODUCT')), 1);
    $order->set_billing_email('guest@example.com');
    $order->calculate_totals();
    $order->save();
    echo $order->get_checkout_order_received_url();
"""
TAXES = """
    update_option('woocommerce_calc_taxes', 'yes');
    update_option('woocommerce_tax_display_shop', getenv('DISPLAY'));
    if (!get_option('skylt_test_rate')) {
        update_option('skylt_test_rate', WC_Tax::_insert_tax_rate(['tax_rate_country' => '', 'tax_rate' => '25.0000',
            'tax_rate_name' => 'VAT', 'tax_rate_priority' => 1, 'tax_rate_order' => 1, 'tax_rate_class' => '']));
    }
    WC_Cache_Helper::invalidate_cache_group('taxes');
    wc_delete_product_transients();
    $p = wc_get_product((int) getenv('PRODUCT'));
    $p->save();  // forwards its catalog item again, at the price now displayed
"""


@dataclass
class Shop:
    theme: str
    site: Site
    api: Server
    urls: dict[str, Any]
    items: list[str]  # demo item ids: the product page's item, then two it recommends

    def php(self, code: str, **env: str) -> str:
        with mock.patch.dict(os.environ, env):
            return self.site.php(code)

    def product(self, n: int) -> dict[str, Any]:
        return self.urls["products"][self.items[n]]

    def settings(self, **changes: Any) -> None:
        self.php("update_option('skylt_settings', array_merge(Skylt_Settings::all(), "
                 "json_decode(getenv('CHANGES'), true)));", CHANGES=json.dumps(changes))


def recommended(api: Server, item: str) -> list[str]:
    r = httpx.get(f"{api.url}/v1/recommend", params={"page": "product", "item": item,
                                                     "slots": "similar,bought_together", "n": "8"}, timeout=30)
    assert r.status_code == 200, r.text
    return [i["id"] for s in r.json()["slots"] for i in s["items"]]


@pytest.fixture(scope="module", params=THEMES)
def shop(request: pytest.FixtureRequest, mariadb: MariaDB, demo_tables: Path, woocommerce: Release,
         tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shop]:
    theme = request.param
    root = tmp_path_factory.mktemp(theme)
    site = Site(root, mariadb, woocommerce.wordpress, woocommerce=woocommerce.woocommerce)
    assert (site.dir / "wp-content" / "themes" / theme / "style.css").is_file()
    site.activate("woocommerce/woocommerce.php", "skylt/skylt.php")
    env = {"SKYLT_INGEST_KEYS": INGEST, "SKYLT_ADMIN_KEYS": ADMIN, "SKYLT_SERVER_KEYS": SERVER,
           "SKYLT_EVENT_LOG": str(root / "events"), "SKYLT_CATALOG_OVERLAY": str(root / "overlay"),
           "SKYLT_CORS_ORIGINS": site.url,
           # Browsers keep recommendations for max-age (60 s by default): the price tests must see a change at once.
           "SKYLT_CACHE_CONTROL": "no-store"}
    api = Server(demo_tables, env=env)
    try:
        with site.serving(root / "php-server.log"):
            api.wait_ready()
            items = ["85123A", *recommended(api, "85123A")[:2]]
            settings = {"api_url": api.url, "ingest_key": INGEST, "admin_key": ADMIN, "server_key": SERVER,
                        "consent": "true", "forward_catalog": "1", "product_enabled": "1",
                        "product_slots": ["similar", "bought_together"], "product_n": "8", "cart_enabled": "1",
                        "cart_slots": ["bought_together"], "cart_n": "4", "checkout_enabled": "1",
                        "checkout_slots": ["addons"], "checkout_n": "4", "product_priority": "15",
                        "mini_cart_enabled": "1", "order_received_enabled": "1"}
            prices = dict(zip(items, ["2.55", "10.00", "7.20"], strict=True))
            with mock.patch.dict(os.environ, {"THEME": theme, "SKYLT_SETTINGS": json.dumps(settings),
                                              "PRODUCTS": json.dumps(prices)}):
                urls = json.loads(site.php(SETUP))
            shop = Shop(theme, site, api, urls, items)
            shop.php(RUN_QUEUE)
            yield shop
    finally:
        api.stop()


def requests_of(page: Any) -> list[dict[str, list[str]]]:
    """The query of every recommendation request the page makes from now on."""
    seen: list[dict[str, list[str]]] = []
    page.on("request", lambda r: seen.append(parse_qs(urlparse(r.url).query, keep_blank_values=True))
            if "/v1/recommend" in r.url else None)
    return seen


def carts(seen: list[dict[str, list[str]]]) -> set[str]:
    """The carts the cart page's slots asked with."""
    return {q.get("cart", [""])[0] for q in seen if q.get("page") == ["cart"]}


def until(page: Any, check: Callable[[], Any], what: str, timeout: float = 30,
          describe: Callable[[], Any] | None = None) -> Any:
    """Polls ``check`` against a deadline; waiting through the page lets Playwright deliver its events meanwhile."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        page.wait_for_timeout(200)
    raise AssertionError(f"timed out waiting for {what}" + (f": {describe()!r}" if describe else ""))


def ready(page: Any, selector: str, scroll: bool = True) -> None:
    if scroll:  # the snippet asks once a slot nears the viewport
        page.locator(selector).first.scroll_into_view_if_needed()
    page.wait_for_selector(f"{selector}[data-state=ready]", state="attached", timeout=30000)


def position(html: str, marker: str) -> int:
    at = html.find(marker)
    assert at >= 0, f"{marker!r} not on the page"
    return at


def test_the_product_row_follows_the_details_and_the_position_setting_moves_it(shop: Shop, page: Any) -> None:
    url = shop.product(0)["url"]
    html = httpx.get(url, timeout=60).text
    assert html.count('<skylt-slot page="product"') == 1
    slot = position(html, '<skylt-slot page="product"')
    tabs = "wp-block-woocommerce-product-details" if shop.theme == "twentytwentyfive" else "woocommerce-tabs"
    related = "product-collection/related" if shop.theme == "twentytwentyfive" else 'class="related products"'
    assert position(html, tabs) < slot < position(html, related)

    shop.settings(product_priority=25)
    try:
        html = httpx.get(url, timeout=60).text
        assert html.count('<skylt-slot page="product"') == 1
        assert position(html, related) < position(html, '<skylt-slot page="product"')
    finally:
        shop.settings(product_priority=15)

    page.goto(url)
    ready(page, "skylt-slot[page=product]")
    assert page.locator("skylt-slot[page=product] .skylt-card").count() > 0
    assert page.skylt_log.errors == []


def test_the_inner_block_renders_in_the_block_cart_and_a_cart_change_reaches_its_request(shop: Shop,
                                                                                         page: Any) -> None:
    for n in (0, 1):
        page.goto(f"{shop.site.url}/?add-to-cart={shop.product(n)['id']}")
    seen = requests_of(page)
    page.goto(shop.urls["cart"])
    inner = ".wp-block-woocommerce-cart-items-block skylt-slot[page=cart]"
    ready(page, inner)
    assert page.locator(inner).count() == 1
    assert page.locator(".wp-block-woocommerce-cart ~ .skylt-wrap").count() == 0  # placed inside: no append after
    both = ",".join(sorted(shop.items[:2]))
    assert until(page, lambda: carts(seen) & {both}, "the first request")

    page.locator(".wc-block-cart-item__remove-link").first.click()  # a Store API cart change, without a reload
    [left] = until(page, lambda: carts(seen) & set(shop.items[:2]), "a request with the smaller cart")
    assert page.locator(inner).get_attribute("cart") == left
    assert page.skylt_log.errors == []


def settled(editor: Any, state: str) -> Callable[[], bool]:
    return lambda: bool(editor.evaluate(state) == [True, [True, True]])


INSERTABLE = """([name, areas]) => {
    const editor = wp.data.select('core/block-editor');
    const find = (blocks, want) =>
        blocks.flatMap((b) => [b, ...find(b.innerBlocks, want)]).filter((b) => b.name === want);
    return areas.map((area) => {
        const [block] = find(editor.getBlocks(), area);
        return block ? editor.canInsertBlockType(name, block.clientId) : 'no ' + area;
    });
}"""


def test_the_editor_offers_the_inner_block_inside_the_cart_and_checkout_blocks(shop: Shop, page: Any) -> None:
    page.goto(f"{shop.site.url}/wp-login.php")
    page.fill("#user_login", "admin")
    page.fill("#user_pass", "admin-password")
    page.click("#wp-submit")
    page.wait_for_url("**/wp-admin/**")
    for which, areas in (("cart", ["woocommerce/cart-items-block", "woocommerce/cart-totals-block"]),
                         ("checkout", ["woocommerce/checkout-fields-block", "woocommerce/checkout-totals-block"])):
        post = shop.php(f"echo wc_get_page_id('{which}');").strip()
        editor = page.context.new_page()  # a page of its own: leaving an editor may ask to confirm
        editor.goto(f"{shop.site.url}/wp-admin/post.php?post={post}&action=edit")
        # The areas' allowed blocks settle once the Cart or Checkout block has laid out its inner blocks.
        state = "() => { try { return [!!wp.blocks.getBlockType('skylt/cart-slot'), (" + INSERTABLE + ")(" \
            + json.dumps(["core/paragraph", areas]) + ")]; }" \
            + " catch (e) { return [String(e), location.href, document.body.innerText.slice(0, 300)]; } }"
        until(editor, settled(editor, state), f"the {which} editor's areas", 120,
              functools.partial(editor.evaluate, state))
        assert editor.evaluate(INSERTABLE, ["skylt/cart-slot", areas]) == [True, True]
        assert editor.evaluate(INSERTABLE, ["skylt/slot", areas]) == [False, False]  # only blocks naming the area
        editor.close()
    assert page.skylt_log.errors == []


def test_the_block_checkout_shows_the_inner_block(shop: Shop, page: Any) -> None:
    page.goto(f"{shop.site.url}/?add-to-cart={shop.product(0)['id']}")
    page.goto(shop.urls["checkout"])
    slot = ".wp-block-woocommerce-checkout-fields-block skylt-slot[page=checkout]"
    ready(page, slot)
    assert page.locator(slot).get_attribute("slot") == "addons"
    assert page.skylt_log.errors == []


def test_the_mini_cart_shows_a_slot_after_an_add_to_cart(shop: Shop, page: Any) -> None:
    seen = requests_of(page)
    item = shop.items[0]
    page.goto(shop.product(0)["url"])
    page.locator("form.cart button[type=submit], .single_add_to_cart_button").first.click()
    page.wait_for_load_state()
    if shop.theme == "twentytwentyfive":
        page.locator(".wc-block-mini-cart__button").first.click()
        ready(page, ".wc-block-mini-cart__drawer skylt-slot[page=cart]", scroll=False)  # the drawer is open
    else:
        ready(page, ".widget_shopping_cart_content skylt-slot[page=cart]")
    assert until(page, lambda: {c for c in carts(seen) if item in c.split(",")}, "a mini-cart request with the cart")
    assert page.skylt_log.errors == []


def test_the_order_received_page_shows_what_goes_with_the_order(shop: Shop, page: Any) -> None:
    url = shop.php(ORDER, PRODUCT=str(shop.product(0)["id"])).strip()
    page.goto(url)
    slot = "skylt-slot[page=product][noview]"
    ready(page, slot)
    assert page.locator(slot).count() == 1
    assert page.locator(slot).get_attribute("item") == shop.items[0]
    assert page.locator(slot).get_attribute("exclude") == shop.items[0]
    assert page.skylt_log.errors == []


def shop_price(browser: Any, url: str) -> str:
    """The product page's own price, read in a context of its own: a view would change the recommendations."""
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(url)
        return str(page.locator(".summary .price .amount, .wp-block-woocommerce-product-price .amount")
                   .first.inner_text()).strip()
    finally:
        context.close()


def card_price(page: Any, shop: Shop, url: str) -> str:
    """The price on the card linking to ``url``, with every card's link and price after it when there is none."""
    page.goto(shop.product(0)["url"])
    ready(page, "skylt-slot[page=product]")
    cards = page.eval_on_selector_all("skylt-slot[page=product] .skylt-card", """cards => cards.map((c) => [
        (c.querySelector('a') || {}).href, (c.querySelector('.skylt-price') || {}).textContent])""")
    mine = [price for href, price in cards if href == url]
    return str(mine[0]).strip() if mine else f"no card: {cards}"


@pytest.mark.parametrize("display", ["incl", "excl"])
def test_card_prices_match_the_shops_with_tax_display_on_and_off(shop: Shop, browser: Any, page: Any,
                                                                 display: str) -> None:
    shown = shop.product(1)
    shop.php(TAXES, DISPLAY=display, PRODUCT=str(shown["id"]))
    shop.php(RUN_QUEUE)
    expected = shop_price(browser, shown["url"])
    assert expected == ("£12.50" if display == "incl" else "£10.00")
    until(page, lambda: card_price(page, shop, shown["url"]) == expected, f"a card priced {expected}", 60,
          lambda: card_price(page, shop, shown["url"]))
    assert page.skylt_log.errors == []


def test_the_plugin_raised_no_php_notices(shop: Shop) -> None:
    assert shop.site.plugin_notices() == []
