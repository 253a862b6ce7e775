"""Consent and signed identity in Chromium, on a real WordPress with the plugin (no WooCommerce needed, so CI runs
it) and a live `skylt serve`: before consent the page sends no event and no identity and writes no Skylt storage;
after consent it does, with a token the server's identity module accepts; after withdrawal it stops. Once through the
shop's banner calling `Skylt.consent(...)`, once through the WP Consent API (a stand-in with the API's functions,
cookie and change event)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from unittest import mock
from urllib.parse import parse_qs, urlsplit

import pytest

from edge.identity import verify
from tests.conftest import Server
from tests.woocommerce_plugin.conftest import Release
from tests.woocommerce_plugin.wordpress import DEBIAN_WORDPRESS, MariaDB, Site

pytestmark = pytest.mark.slow

INGEST = "pk-consent-browser-key"
IDENTITY_SECRET = "id-consent-identity-secret"
ITEM = "85123A"

# What the WP Consent API offers other plugins: wp_has_consent() in PHP (its cookie) and in JS, wp_set_consent() and
# the wp_listen_for_consent_change event. Active only while the option skylt_test_consent_api is set.
CONSENT_API = """<?php
if (get_option('skylt_test_consent_api')) {
    function wp_has_consent($category) {
        return 'allow' === ($_COOKIE['wp_consent_' . $category] ?? '');
    }
    add_action('wp_head', function () {
        echo "<script>
window.wp_has_consent = (c) => document.cookie.split('; ').includes('wp_consent_' + c + '=allow');
window.wp_set_consent = (c, v) => {
  document.cookie = 'wp_consent_' + c + '=' + v + '; path=/';
  document.dispatchEvent(new CustomEvent('wp_listen_for_consent_change', {detail: {[c]: v}}));
};
</script>";
    });
}
"""
SETUP = """
    $user = wp_insert_user(['user_login' => 'shopper', 'user_pass' => 'shopper-password',
                            'user_email' => 'shopper@example.com', 'role' => 'subscriber']);
    $page = wp_insert_post(['post_type' => 'page', 'post_status' => 'publish', 'post_title' => 'Mug',
                            'post_content' => '[skylt_slot page="product" item="85123A" slot="similar"]']);
    update_option('skylt_settings', Skylt_Settings::sanitize(json_decode(getenv('SKYLT_SETTINGS'), true)));
    echo json_encode(['url' => get_permalink($page), 'user' => Skylt_Ids::customer('user', (string) $user)]);
"""


@dataclass
class Shop:
    site: Site
    api: Server
    url: str
    user: str


@dataclass
class Traffic:
    """What the page sent to the Skylt API."""

    api: str
    requests: list[Any] = field(default_factory=list)

    def seen(self, request: Any) -> None:
        if request.url.startswith(self.api) and request.method != "OPTIONS":
            self.requests.append(request)

    def events(self) -> list[dict[str, Any]]:
        return [e for r in self.requests if urlsplit(r.url).path == "/v1/events"
                for e in json.loads(r.post_data)["events"]]

    def recommends(self) -> list[Any]:
        return [r for r in self.requests if urlsplit(r.url).path == "/v1/recommend"]


@pytest.fixture(scope="module", params=["wordpress", "woocommerce"])
def shop(request: pytest.FixtureRequest, mariadb: MariaDB, demo_tables: Path,
         tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shop]:
    """The plugin on Debian's WordPress and in a WooCommerce shop."""
    root = tmp_path_factory.mktemp("consent")
    if request.param == "woocommerce":
        woocommerce: Release = request.getfixturevalue("woocommerce")
        site = Site(root, mariadb, woocommerce.wordpress, woocommerce=woocommerce.woocommerce)
        site.activate("woocommerce/woocommerce.php")
        site.php("update_option('woocommerce_coming_soon', 'no');")
    else:
        site = Site(root, mariadb, DEBIAN_WORDPRESS)
    (site.dir / "wp-content" / "mu-plugins" / "skylt-test-consent-api.php").write_text(CONSENT_API)
    site.activate("skylt/skylt.php")
    api = Server(demo_tables, env={"SKYLT_INGEST_KEYS": INGEST, "SKYLT_IDENTITY_SECRETS": IDENTITY_SECRET,
                                   "SKYLT_CORS_ORIGINS": site.url, "SKYLT_EVENT_LOG": str(root / "events")})
    try:
        api.wait_ready()
        settings = {"api_url": api.url, "ingest_key": INGEST, "identity_secret": IDENTITY_SECRET}
        with site.serving(root / "php-server.log"):
            with mock.patch.dict(os.environ, {"SKYLT_SETTINGS": json.dumps(settings)}):
                made = json.loads(site.php(SETUP))
            yield Shop(site, api, made["url"], made["user"])
    finally:
        api.stop()


def log_in(shop: Shop, page: Any) -> Traffic:
    shop.site.log_in(page, "shopper")
    traffic = Traffic(shop.api.url)
    page.on("request", traffic.seen)
    return traffic


def open_product(shop: Shop, page: Any) -> None:
    """The page with a product slot, once its recommendations arrived (a view is recorded as it connects)."""
    with page.expect_response(lambda r: "/v1/recommend" in r.url):
        page.goto(shop.url)
    page.wait_for_function("document.querySelector('skylt-slot').dataset.state === 'ready'")


def skylt_storage(page: Any) -> dict[str, Any]:
    """Every localStorage entry, sessionStorage entry and cookie whose name says Skylt."""
    stored = page.evaluate("""() => Object.fromEntries([localStorage, sessionStorage].flatMap(
        (s) => Object.keys(s).map((k) => [k, s.getItem(k)])))""")
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    return {k: v for k, v in {**stored, **cookies}.items() if "skylt" in k.lower()}


def identity_sent(request: Any) -> bool:
    query = parse_qs(urlsplit(request.url).query)
    return "user" in query or "user_token" in query or "x-skylt-user-token" in request.headers


def assert_silent(page: Any, traffic: Traffic) -> None:
    """No event leaves (even when asked to flush), no request names the customer, nothing is stored."""
    page.evaluate(f"Skylt.view('22423'); Skylt.cart.add('{ITEM}'); Skylt.flush()")
    with page.expect_response(lambda r: "/v1/recommend" in r.url):
        page.evaluate("Skylt.refresh()")  # the check waits on this request, which comes after the flush
    assert traffic.events() == []
    assert traffic.recommends() and not [r.url for r in traffic.recommends() if identity_sent(r)]
    config = page.evaluate("window.SkyltConfig")
    assert config["consent"] is False and "user" not in config and "userToken" not in config
    assert skylt_storage(page) == {}


def assert_identified(shop: Shop, page: Any, traffic: Traffic) -> None:
    """Events and requests carry the customer and a token valid for them; the snippet stores its state."""
    config = page.evaluate("window.SkyltConfig")
    assert config["consent"] is True and config["user"] == shop.user
    assert verify(config["userToken"], shop.user, [IDENTITY_SECRET])
    assert not verify(config["userToken"], shop.user + "0", [IDENTITY_SECRET])
    with page.expect_request(lambda r: r.url == f"{shop.api.url}/v1/events" and r.method == "POST"):
        page.evaluate("Skylt.view('22423'); Skylt.flush()")
    events = traffic.events()
    assert events and all(e["user"] == shop.user for e in events)
    assert all(e.get("user_token", config["userToken"]) == config["userToken"] for e in events)
    with page.expect_response(lambda r: "/v1/recommend" in r.url):
        page.evaluate("Skylt.refresh()")
    assert identity_sent(traffic.recommends()[-1])
    assert "skylt" in skylt_storage(page)


def test_the_banners_consent_starts_and_stops_events_identity_and_storage(shop: Shop, page: Any) -> None:
    shop.site.php("delete_option('skylt_test_consent_api');")
    traffic = log_in(shop, page)
    open_product(shop, page)
    assert_silent(page, traffic)

    page.evaluate("Skylt.consent(true)")  # what the shop's banner calls
    assert_identified(shop, page, traffic)

    traffic.requests.clear()  # the next page remembers the consent: its view goes out with the customer
    open_product(shop, page)
    assert identity_sent(traffic.recommends()[0])
    with page.expect_request(lambda r: r.url.endswith("/v1/events")):
        page.evaluate("Skylt.flush()")
    assert [e["item"] for e in traffic.events() if e["type"] == "view"] == [ITEM]

    page.evaluate("Skylt.consent(false)")
    traffic.requests.clear()
    assert_silent(page, traffic)
    open_product(shop, page)  # and it stays withdrawn on the next page
    traffic.requests.clear()
    assert_silent(page, traffic)
    assert page.skylt_log.errors == []


def test_the_wp_consent_api_starts_and_stops_events_identity_and_storage(shop: Shop, page: Any) -> None:
    shop.site.php("update_option('skylt_test_consent_api', 1);")
    try:
        traffic = log_in(shop, page)
        open_product(shop, page)
        assert_silent(page, traffic)

        page.evaluate("wp_set_consent('marketing', 'allow')")  # another category changes nothing
        traffic.requests.clear()
        assert_silent(page, traffic)

        page.evaluate("wp_set_consent('statistics', 'allow')")
        assert_identified(shop, page, traffic)

        traffic.requests.clear()
        open_product(shop, page)  # the next page: the API's answer in PHP and in the browser agree
        assert identity_sent(traffic.recommends()[0])

        page.evaluate("wp_set_consent('statistics', 'deny')")
        traffic.requests.clear()
        assert_silent(page, traffic)
        open_product(shop, page)
        traffic.requests.clear()
        assert_silent(page, traffic)
        assert page.skylt_log.errors == []
    finally:
        shop.site.php("delete_option('skylt_test_consent_api');")
