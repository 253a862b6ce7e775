"""Session fixtures: one MariaDB server; each test module that needs a site builds its own database. The
WooCommerce release the shop tests run against."""

from __future__ import annotations

import os
import shutil
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.requires import missing
from tests.woocommerce_plugin.wordpress import MariaDB

VENDOR = REPO.parent / "shared" / "vendor"
RELEASES = {"woocommerce": "woocommerce-10.0.2.tar.gz", "wordpress": "wordpress-6.8.8.tar.gz"}
# The classic theme the shop tests also run on (WordPress 6.8 ships only block themes): Debian's package.
CLASSIC_THEME = Path("/usr/share/wordpress/wp-content/themes/twentytwentyone")


@dataclass(frozen=True)
class Release:
    woocommerce: Path  # the plugin folder
    wordpress: Path    # a WordPress core it supports


@pytest.fixture(scope="session")
def woocommerce(tmp_path_factory: pytest.TempPathFactory) -> Release:
    """``WC_PLUGIN_DIR`` and ``WP_CORE_DIR`` when set; else the releases in ../shared/vendor, unpacked into a
    temporary directory (never into the project), so every run tests the plugin inside a real WooCommerce, with
    Debian's Twenty Twenty-One copied in beside the release's block themes."""
    if os.environ.get("WC_PLUGIN_DIR"):
        return Release(Path(os.environ["WC_PLUGIN_DIR"]),
                       Path(os.environ.get("WP_CORE_DIR") or "/usr/share/wordpress"))
    if not all((VENDOR / name).is_file() for name in RELEASES.values()):
        missing("WooCommerce and WordPress releases", f"expected {', '.join(RELEASES.values())} in {VENDOR}")
    root = tmp_path_factory.mktemp("vendor")
    for name in RELEASES.values():
        with tarfile.open(VENDOR / name) as archive:
            archive.extractall(root, filter="data")
    if not (CLASSIC_THEME / "style.css").is_file():
        missing("The Twenty Twenty-One theme", "apt-get install wordpress-theme-twentytwentyone")
    shutil.copytree(CLASSIC_THEME, root / "wordpress" / "wp-content" / "themes" / CLASSIC_THEME.name)
    return Release(root / "woocommerce", root / "wordpress")


@pytest.fixture(scope="session")
def mariadb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MariaDB]:
    db = MariaDB(Path(tmp_path_factory.mktemp("mariadb")))
    try:
        yield db
    finally:
        db.stop()
