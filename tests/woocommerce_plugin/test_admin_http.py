"""The plugin over HTTP in a real WordPress without WooCommerce (what CI runs): the settings form saves through
options.php only with a valid nonce and the capability, and a static front page shows the home slot."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from loadtests.procfs import descendants, running
from tests.conftest import free_port
from tests.woocommerce_plugin.wordpress import DEBIAN_WORDPRESS, MariaDB, Site

pytestmark = pytest.mark.slow

SETUP = """
    wp_insert_user(['user_login' => 'reader', 'user_pass' => 'reader-password', 'user_email' => 'r@example.com',
                    'role' => 'subscriber']);
    $id = wp_insert_post(['post_type' => 'page', 'post_status' => 'publish', 'post_title' => 'Welcome',
                          'post_content' => '<!-- wp:paragraph --><p>Our shop.</p><!-- /wp:paragraph -->']);
    update_option('show_on_front', 'page');
    update_option('page_on_front', $id);
"""
SETTINGS = "echo json_encode(get_option('skylt_settings', null));"


@pytest.fixture(scope="module")
def site(mariadb: MariaDB, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    root = tmp_path_factory.mktemp("wp-http")
    wp = Site(root, mariadb, DEBIAN_WORDPRESS)
    wp.activate("skylt/skylt.php")
    wp.php(SETUP)
    with wp.serving(root / "php-server.log"):
        yield wp


@contextmanager
def login(site: Site, user: str, password: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=site.url, timeout=30, cookies={"wordpress_test_cookie": "WP Cookie check"}) as client:
        r = client.post("/wp-login.php", data={"log": user, "pwd": password, "wp-submit": "Log In",
                                               "testcookie": "1"})
        assert r.status_code == 302, r.text[:500]
        yield client


def settings(site: Site) -> dict[str, object]:
    return json.loads(site.php(SETTINGS))


def form(client: httpx.Client) -> dict[str, str]:
    page = client.get("/wp-admin/options-general.php?page=skylt")
    assert page.status_code == 200
    nonce = re.search(r'name="_wpnonce" value="([0-9a-f]+)"', page.text)
    assert nonce, page.text[:2000]
    return {"option_page": "skylt", "action": "update", "_wpnonce": nonce[1],
            "_wp_http_referer": "/wp-admin/options-general.php?page=skylt"}


def test_without_woocommerce_the_admin_sees_a_notice_and_the_page_under_settings(site: Site) -> None:
    with login(site, "admin", "admin-password") as admin:
        page = admin.get("/wp-admin/options-general.php?page=skylt")
        assert page.status_code == 200
        assert "Skylt needs WooCommerce" in page.text and "notice-warning" in page.text
        assert "Skylt needs WooCommerce" in admin.get("/wp-admin/plugins.php").text


def test_the_form_saves_sanitized_values_with_nonce_and_capability(site: Site) -> None:
    with login(site, "admin", "admin-password") as admin:
        fields = form(admin)
        r = admin.post("/wp-admin/options.php", data={
            **fields, "skylt_settings[api_url]": "https://recs.example.com", "skylt_settings[ingest_key]": "pk-1",
            "skylt_settings[admin_key]": "sk-secret", "skylt_settings[home_enabled]": "1",
            "skylt_settings[home_slots][]": ["bestsellers", "bogus"], "skylt_settings[home_n]": "77",
            "skylt_settings[home_heading]": 'Top <script>alert(1)</script>"picks"'})
        assert r.status_code == 302 and "settings-updated=true" in r.headers["location"]
        saved = settings(site)
        assert saved["api_url"] == "https://recs.example.com" and saved["admin_key"] == "sk-secret"
        assert saved["home_slots"] == ["bestsellers"] and saved["home_n"] == 50
        assert saved["home_heading"] == 'Top "picks"'
        page = admin.get("/wp-admin/options-general.php?page=skylt").text
        assert "sk-secret" not in page and 'value="Top &quot;picks&quot;"' in page

        forged = admin.post("/wp-admin/options.php", data={**fields, "_wpnonce": "0123456789",
                                                             "skylt_settings[api_url]": "https://evil.example"})
        assert forged.status_code == 403
        assert settings(site)["api_url"] == "https://recs.example.com"


def test_a_subscriber_can_neither_open_nor_save_the_settings(site: Site) -> None:
    before = settings(site)
    with login(site, "reader", "reader-password") as reader:
        assert reader.get("/wp-admin/options-general.php?page=skylt").status_code == 403
        r = reader.post("/wp-admin/options.php", data={"option_page": "skylt", "action": "update",
                                                      "skylt_settings[api_url]": "https://evil.example"})
        assert r.status_code == 403
        r = reader.post("/wp-admin/admin-post.php", data={"action": "skylt_test_connection"})
        assert r.status_code == 403
    assert settings(site) == before


def test_the_front_page_shows_the_home_slot_and_the_public_configuration_only(site: Site) -> None:
    site.php("""
        update_option('skylt_settings', Skylt_Settings::sanitize(['api_url' => 'https://recs.example.com',
            'ingest_key' => 'pk-1', 'admin_key' => 'sk-secret', 'home_enabled' => '1', 'home_slots' => ['trending'],
            'home_n' => '5', 'home_heading' => 'Trending now']));
    """)
    html = httpx.get(site.url + "/", timeout=30).text
    assert html.count("<skylt-slot ") == 1
    assert '<skylt-slot page="home" slot="trending" n="5" heading="Trending now"></skylt-slot>' in html
    assert "wp-content/plugins/skylt/assets/skylt.min.js" in html
    assert '"key":"pk-1"' in html and "sk-secret" not in html


def test_the_plugin_raised_no_php_notices(site: Site) -> None:
    assert site.plugin_notices() == []


def test_php_server_and_its_workers_are_gone_after_serving(site: Site, tmp_path: Path) -> None:
    other = copy.copy(site)  # the same WordPress on a second port: only the server's lifetime is under test
    other.port = free_port()
    other.url = f"http://127.0.0.1:{other.port}"
    with other.serving(tmp_path / "php-server.log") as proc:
        workers = descendants(proc.pid)
        assert workers and all(running(pid) for pid in workers)  # PHP_CLI_SERVER_WORKERS forked them
    assert not [pid for pid in [proc.pid, *workers] if running(pid)]
