"""The plugin's PHPUnit suite inside a real WordPress on a real MariaDB.

Without WooCommerce (Debian's WordPress) the suite covers activation, settings, escaping, the WooCommerce
notice, rendering and uninstall; then the same suite runs with WooCommerce active (the release in
../shared/vendor, or ``WC_PLUGIN_DIR`` and ``WP_CORE_DIR``) and adds its WooCommerce tests.
"""

from __future__ import annotations

import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import Server
from tests.woocommerce_plugin.conftest import Release
from tests.woocommerce_plugin.wordpress import DEBIAN_WORDPRESS, PLUGIN, MariaDB, Site, need

pytestmark = pytest.mark.slow


def run_phpunit(site: Site, api_url: str, junit: Path) -> subprocess.CompletedProcess[str]:
    phpunit = need("phpunit", "phpunit")
    return subprocess.run([phpunit, "-c", str(PLUGIN / "phpunit.xml.dist"), "--log-junit", str(junit)],
                          capture_output=True, text=True, timeout=600, cwd=PLUGIN,
                          env={**site.env(), "SKYLT_TEST_API": api_url})


def summary(done: subprocess.CompletedProcess[str]) -> str:
    return f"phpunit exited {done.returncode}\n{done.stdout[-6000:]}\n{done.stderr[-2000:]}"


def results(junit: Path) -> tuple[int, set[str]]:
    """How many tests ran, and the classes of the skipped ones."""
    cases = list(ET.parse(junit).getroot().iter("testcase"))
    return len(cases), {case.get("class", "") for case in cases if case.find("skipped") is not None}


@pytest.fixture(scope="module")
def live_api(demo_tables: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    # pk-phpunit-ingest-key is the key test-admin.php expects, sk-phpunit-admin-key the one test-privacy.php erases
    # with; the event log stays out of the working directory.
    srv = Server(demo_tables, env={"SKYLT_INGEST_KEYS": "pk-phpunit-ingest-key",
                                   "SKYLT_ADMIN_KEYS": "sk-phpunit-admin-key",
                                   "SKYLT_EVENT_LOG": str(tmp_path_factory.mktemp("phpunit-events"))})
    try:
        srv.wait_ready()
        yield srv.url
    finally:
        srv.stop()


def test_phpunit_suite_without_woocommerce(mariadb: MariaDB, live_api: str, tmp_path: Path) -> None:
    site = Site(tmp_path, mariadb, DEBIAN_WORDPRESS)
    site.activate("skylt/skylt.php")
    done = run_phpunit(site, live_api, tmp_path / "junit.xml")
    assert done.returncode == 0, summary(done)
    ran, skipped = results(tmp_path / "junit.xml")
    assert ran >= 38 and skipped == {"Test_WooCommerce", "Test_Blocks", "Test_Marketing"}, done.stdout
    assert site.plugin_notices() == []


def test_phpunit_suite_with_woocommerce(mariadb: MariaDB, live_api: str, woocommerce: Release,
                                        tmp_path: Path) -> None:
    site = Site(tmp_path, mariadb, woocommerce.wordpress, woocommerce=woocommerce.woocommerce)
    site.activate("woocommerce/woocommerce.php", "skylt/skylt.php")
    done = run_phpunit(site, live_api, tmp_path / "junit.xml")
    assert done.returncode == 0, summary(done)
    ran, skipped = results(tmp_path / "junit.xml")
    assert ran >= 38 and skipped == {"Test_Queue"}, done.stdout  # Action Scheduler replaces WP-Cron
    assert site.plugin_notices() == []
