"""The plugin in a real shop: WordPress + WooCommerce on MariaDB, a live `skylt serve`, real Chromium.

Runs on every test run against the WooCommerce and WordPress releases in ../shared/vendor (or
``WC_PLUGIN_DIR`` and ``WP_CORE_DIR``). A product whose SKU is a demo item id (85123A) shows the API's
recommendations; paid orders reach the event log, also when the API was down while they were paid.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest import mock

import httpx
import pytest

from tests.conftest import Server
from tests.waiting import wait_until
from tests.woocommerce_plugin.conftest import Release
from tests.woocommerce_plugin.wordpress import MariaDB, Site

pytestmark = pytest.mark.slow

INGEST, ADMIN, SERVER = "pk-e2e-public-ingest", "sk-e2e-secret-admin", "srv-e2e-secret-server"
NOTIFY_KEY = "e2e-notify-secret-key-0123456789abcdef"  # seals the consenting customers' ids (skylt notify)
SETTINGS = """
    update_option('woocommerce_coming_soon', 'no');
    update_option('skylt_settings', Skylt_Settings::sanitize(json_decode(getenv('SKYLT_SETTINGS'), true)));
"""
PRODUCT = """
    $p = new WC_Product_Simple();
    $p->set_name(getenv('NAME'));
    $p->set_sku(getenv('SKU'));
    $p->set_regular_price(getenv('PRICE'));
    $p->set_status('publish');
    $p->save();
    echo json_encode(['id' => $p->get_id(), 'url' => get_permalink($p->get_id())]);
"""
ORDER = """
    $order = wc_create_order(['customer_id' => 1]);
    $order->add_product(wc_get_product((int) getenv('PRODUCT')), 2);
    $order->set_billing_email('shopper@example.com');
    if (getenv('NEWSLETTER')) {
        $order->update_meta_data('_wc_other/e2e/newsletter', getenv('NEWSLETTER'));
    }
    $order->calculate_totals();
    $order->save();
    $order->update_status('processing');
    echo $order->get_order_number();
"""
RUN_QUEUE = """
    add_filter('skylt_retry_delay', function () { return 1; });
    ActionScheduler_QueueRunner::instance()->run('skylt-test');
    $pending = as_get_scheduled_actions(['hook' => 'skylt_send', 'status' => 'pending']);
    echo json_encode(array_values(array_map(function ($a) { return $a->get_args(); }, $pending)));
"""


@dataclass
class Shop:
    site: Site
    api: Server
    events: Path
    product: dict[str, Any]
    tables: Path
    env: dict[str, str]

    def php(self, code: str, **env: str) -> str:
        with mock.patch.dict(os.environ, env):
            return self.site.php(code)

    def run_queue(self) -> list[list[Any]]:
        return json.loads(self.php(RUN_QUEUE))

    def start_api(self, port: int) -> None:
        with mock.patch("tests.conftest.free_port", return_value=port):
            self.api = Server(self.tables, env=self.env)
        self.api.wait_ready()

    def purchases(self) -> list[dict[str, Any]]:
        lines = [json.loads(line) for f in sorted(self.events.glob("*.jsonl")) for line in f.read_text().splitlines()]
        return [e for e in lines if e["type"] == "purchase"]


@pytest.fixture(scope="module")
def shop(mariadb: MariaDB, demo_tables: Path, woocommerce: Release,
         tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shop]:
    root = tmp_path_factory.mktemp("shop")
    site = Site(root, mariadb, woocommerce.wordpress, woocommerce=woocommerce.woocommerce)
    site.activate("woocommerce/woocommerce.php", "skylt/skylt.php")
    events = root / "events"
    env = {"SKYLT_INGEST_KEYS": INGEST, "SKYLT_ADMIN_KEYS": ADMIN, "SKYLT_SERVER_KEYS": SERVER,
           "SKYLT_EVENT_LOG": str(events),
           "SKYLT_CATALOG_OVERLAY": str(root / "overlay"), "SKYLT_CORS_ORIGINS": site.url,
           "SKYLT_SECRET_KEY": NOTIFY_KEY, "SKYLT_KLAVIYO_PRIVATE_KEY": "pk_e2e_klaviyo_key_0001",
           "SKYLT_KLAVIYO_API_URL": "http://127.0.0.1:9", "SKYLT_NOTIFY_STATE": str(root / "notify")}
    api = Server(demo_tables, env=env)
    shop = Shop(site, api, events, {}, demo_tables, env)
    try:
        with site.serving(root / "php-server.log"):
            api.wait_ready()
            settings = {"api_url": api.url, "ingest_key": INGEST, "admin_key": ADMIN, "server_key": SERVER,
                        "consent": "true", "forward_orders": "1",
                        "forward_catalog": "1", "product_enabled": "1", "product_slots": ["similar", "bought_together"],
                        "product_n": "4", "product_heading": "You may also like", "cart_enabled": "1",
                        "cart_slots": ["bought_together"], "cart_n": "4", "product_priority": "15",
                        "marketing_meta": "_wc_other/e2e/newsletter"}
            shop.php(SETTINGS, SKYLT_SETTINGS=json.dumps(settings))
            shop.product = json.loads(shop.php(PRODUCT, NAME="White hanging heart T-light holder", SKU="85123A",
                                               PRICE="2.55"))
            yield shop
    finally:
        shop.api.stop()


def test_the_product_page_shows_the_apis_recommendations_in_chromium(shop: Shop, page: Any) -> None:
    page.goto(shop.product["url"])
    slot = page.locator("skylt-slot")
    assert slot.get_attribute("page") == "product"
    assert slot.get_attribute("item") == "85123A"
    slot.scroll_into_view_if_needed()  # the snippet fetches when the slot nears the viewport
    page.wait_for_function("document.querySelector('skylt-slot').dataset.state === 'ready'", timeout=20000)
    assert page.locator("skylt-slot .skylt-card").count() > 0, page.skylt_log.console
    headings = page.locator("skylt-slot .skylt-heading").all_text_contents()
    assert headings and all(h == "You may also like" for h in headings)
    names = page.locator("skylt-slot .skylt-name").all_text_contents()
    assert 1 <= len(names) <= 8 and all(n.strip() for n in names)
    config = page.evaluate("window.SkyltConfig")
    assert config["api"] == shop.api.url and config["key"] == INGEST
    assert ADMIN not in page.content() and SERVER not in page.content()
    assert page.skylt_log.errors == []


def test_an_order_reaching_processing_becomes_a_purchase_event(shop: Shop) -> None:
    number = shop.php(ORDER, PRODUCT=str(shop.product["id"]))
    assert shop.run_queue() == []
    mine = [e for e in shop.purchases() if e.get("order_id") == number]
    assert len(mine) == 1, shop.purchases()
    assert mine[0]["item_id"] == "85123A" and mine[0]["quantity"] == 2 and mine[0]["price"] == 2.55
    assert len(mine[0]["user_id"]) == 32


def consenting(shop: Shop) -> set[str]:
    from edge.notify.ids import unseal_id
    from edge.notify.state import NotifyState

    folder = Path(shop.env["SKYLT_NOTIFY_STATE"])
    return {unseal_id(NOTIFY_KEY, row.sealed) for row in NotifyState(folder).customers()} if folder.exists() else set()


def test_a_paid_orders_newsletter_field_gives_and_withdraws_marketing_consent(shop: Shop) -> None:
    customer = shop.php("echo Skylt_Ids::customer('user', '1');")
    shop.php(ORDER, PRODUCT=str(shop.product["id"]), NEWSLETTER="yes")
    assert shop.run_queue() == []
    assert consenting(shop) == {customer}  # the plugin's opaque id, kept sealed for skylt notify
    shop.php(ORDER, PRODUCT=str(shop.product["id"]), NEWSLETTER="no")
    assert shop.run_queue() == []
    assert consenting(shop) == set()


STOCK = """
    $p = wc_get_product((int) getenv('PRODUCT'));
    $p->set_manage_stock(true);
    $p->save();
    wc_update_product_stock($p, (int) getenv('STOCK'));
"""


def bestsellers(shop: Shop) -> list[str]:
    r = httpx.get(f"{shop.api.url}/v1/recommend", params={"page": "home", "slots": "bestsellers", "n": "30"},
                  timeout=10)
    assert r.status_code == 200, r.text
    return [item["id"] for slot in r.json()["slots"] for item in slot["items"]]


def test_a_stock_change_reaches_the_catalog_overlay(shop: Shop) -> None:
    shop.run_queue()
    assert "85123A" in bestsellers(shop)
    shop.php(STOCK, PRODUCT=str(shop.product["id"]), STOCK="0")
    assert shop.run_queue() == []
    # Every worker reloads the overlay within overlay_poll_seconds.
    wait_until(lambda: "85123A" not in bestsellers(shop), timeout=10, what="the item out of stock")
    shop.php(STOCK, PRODUCT=str(shop.product["id"]), STOCK="25")
    assert shop.run_queue() == []
    wait_until(lambda: "85123A" in bestsellers(shop), timeout=10, what="the item back in stock")


def test_with_the_api_down_pages_render_and_the_order_arrives_once_it_is_back(shop: Shop, page: Any) -> None:
    port = shop.api.port
    shop.api.stop()
    response = httpx.get(shop.product["url"], timeout=30)
    assert response.status_code == 200 and '<skylt-slot page="product"' in response.text
    page.goto(shop.product["url"])
    page.locator("skylt-slot").scroll_into_view_if_needed()
    page.wait_for_selector("skylt-slot[data-state=error]", state="attached", timeout=20000)
    assert page.locator("skylt-slot").is_hidden()
    assert page.locator(".product_title, h1").first.is_visible()
    assert page.skylt_log.errors == []

    number = shop.php(ORDER, PRODUCT=str(shop.product["id"]))
    waiting = shop.run_queue()
    # The order also lowered the product's stock, so a catalog update waits beside the purchase.
    assert sorted(kind for kind, _, _ in waiting) == ["catalog", "purchase"], waiting
    assert all(attempt == 1 for _, _, attempt in waiting), waiting
    assert not [e for e in shop.purchases() if e.get("order_id") == number]

    shop.start_api(port)
    # The retry was scheduled one second ahead: the queue runs nothing before then, and empties once it does.
    wait_until(lambda: shop.run_queue() == [], timeout=30, what="the retried order and catalog update")
    assert len([e for e in shop.purchases() if e.get("order_id") == number]) == 1


FRONT_PAGE = """
    $id = wp_insert_post(['post_type' => 'page', 'post_status' => 'publish', 'post_title' => 'Welcome',
                          'post_content' => '<!-- wp:paragraph --><p>Our shop.</p><!-- /wp:paragraph -->']);
    update_option('show_on_front', 'page');
    update_option('page_on_front', $id);
    $s = Skylt_Settings::all();
    update_option('skylt_settings', array_merge($s, ['home_enabled' => true, 'home_slots' => ['bestsellers'],
                                                      'checkout_enabled' => true, 'checkout_slots' => ['addons']]));
    echo json_encode(['cart' => wc_get_cart_url(), 'checkout' => wc_get_checkout_url()]);
"""


def test_the_block_cart_checkout_and_a_static_front_page_show_slots(shop: Shop, page: Any) -> None:
    urls = json.loads(shop.php(FRONT_PAGE))
    page.goto(f"{shop.site.url}/?add-to-cart={shop.product['id']}")
    page.goto(urls["cart"])
    slot = page.locator("skylt-slot[page=cart]")
    assert slot.get_attribute("cart") == "85123A"
    slot.scroll_into_view_if_needed()
    page.wait_for_function("document.querySelector('skylt-slot[page=cart]').dataset.state === 'ready'",
                           timeout=20000)
    assert page.locator("skylt-slot[page=cart] .skylt-card").count() > 0
    page.goto(urls["checkout"])
    checkout = page.locator("skylt-slot[page=checkout]")
    assert checkout.get_attribute("cart") == "85123A" and checkout.get_attribute("slot") == "addons"
    page.goto(shop.site.url + "/")
    assert page.locator("skylt-slot[page=home]").count() == 1
    page.locator("skylt-slot[page=home]").scroll_into_view_if_needed()
    page.wait_for_selector("skylt-slot[page=home] .skylt-card", timeout=20000)
    assert page.skylt_log.errors == []


def admin_login(shop: Shop, page: Any) -> None:
    page.goto(f"{shop.site.url}/wp-login.php")
    page.fill("#user_login", "admin")
    page.fill("#user_pass", "admin-password")
    page.click("#wp-submit")
    page.wait_for_url("**/wp-admin/**")


def test_the_block_registers_in_the_editor_without_errors(shop: Shop, page: Any) -> None:
    admin_login(shop, page)
    page.goto(f"{shop.site.url}/wp-admin/post-new.php?post_type=page")
    page.wait_for_function("window.wp && wp.blocks && wp.blocks.getBlockType('skylt/slot')", timeout=60000)
    page.evaluate("wp.data.dispatch('core/block-editor').insertBlocks(wp.blocks.createBlock('skylt/slot'))")
    canvas = page.frame_locator("iframe[name=editor-canvas]")
    canvas.locator(".components-placeholder__label", has_text="Skylt recommendations").wait_for(timeout=30000)
    assert page.skylt_log.errors == []


def test_the_settings_page_saves_through_the_form(shop: Shop, page: Any) -> None:
    page.set_viewport_size({"width": 1280, "height": 1800})
    admin_login(shop, page)
    page.goto(f"{shop.site.url}/wp-admin/admin.php?page=skylt")
    assert page.locator("#skylt_admin_key").input_value() == ""
    assert ADMIN not in page.content()
    page.fill("input[name='skylt_settings[home_heading]']", "Popular <b>right now</b>")
    page.click("#submit")
    page.wait_for_selector(".notice-success, #setting-error-settings_updated")
    saved = json.loads(shop.php("echo json_encode(Skylt_Settings::all());"))
    assert saved["home_heading"] == "Popular right now" and saved["admin_key"] == ADMIN
    page.click("#skylt-test")
    page.wait_for_selector(".notice-success")
    assert "Connected" in page.locator(".notice-success").last.text_content()
    shot = os.environ.get("SKYLT_WC_SCREENSHOT")
    if shot:
        page.screenshot(path=shot, full_page=True)


def test_the_plugin_raised_no_php_notices(shop: Shop) -> None:
    assert shop.site.plugin_notices() == []
