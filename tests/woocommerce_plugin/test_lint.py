"""Static checks of the WooCommerce plugin: PHP syntax, coding standard, ABSPATH guards, the shipped snippet and the
translation template."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.woocommerce_plugin.wordpress import PLUGIN, need

PHP_FILES = sorted(PLUGIN.rglob("*.php"))
GUARD = re.compile(r"\A<\?php\n\n/\*\*\n(?: \*.*\n)+ \*/\n\n(?:defined\('ABSPATH'\) \|\| exit;\n)")


def test_the_plugin_has_php_files() -> None:
    assert len(PHP_FILES) >= 15
    assert (PLUGIN / "skylt" / "skylt.php") in PHP_FILES


@pytest.mark.parametrize("path", PHP_FILES, ids=lambda p: str(p.relative_to(PLUGIN)))
def test_php_syntax(path: Path) -> None:
    done = subprocess.run([need("php", "php-cli"), "-l", str(path)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr


def test_coding_standard_is_clean() -> None:
    """PSR-12 plus strict Generic/Squiz sniffs (phpcs.xml says which and why); warnings count too."""
    done = subprocess.run([need("phpcs", "php-codesniffer"), "-q", "--no-colors", "--report=full"],
                          capture_output=True, text=True, cwd=PLUGIN, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("path", [p for p in PHP_FILES if p.name != "bootstrap.php"],
                         ids=lambda p: str(p.relative_to(PLUGIN)))
def test_every_php_file_opens_with_a_docblock_and_the_abspath_guard(path: Path) -> None:
    # The PHPUnit bootstrap is the one file that loads WordPress, so it cannot require ABSPATH.
    assert GUARD.match(path.read_text()), f"{path} must start with a file docblock then defined('ABSPATH') || exit;"


def test_the_shipped_snippet_is_the_projects_snippet_byte_for_byte() -> None:
    built = REPO / "snippets" / "dist" / "skylt.min.js"
    shipped = PLUGIN / "skylt" / "assets" / "skylt.min.js"
    assert built.is_file(), "snippets/dist/skylt.min.js is missing"
    assert shipped.read_bytes() == built.read_bytes(), (
        "plugins/woocommerce/skylt/assets/skylt.min.js differs from snippets/dist/skylt.min.js; copy it over")


def test_the_translation_template_is_complete(tmp_path: Path) -> None:
    """bin/make-pot regenerates the template; the committed one must hold the same strings."""
    need("xgettext", "gettext")
    fresh = tmp_path / "skylt.pot"
    subprocess.run([str(PLUGIN / "bin" / "make-pot"), str(fresh)], check=True, timeout=120, capture_output=True)

    def entries(pot: Path) -> set[tuple[str, str]]:
        text = pot.read_text()
        return set(re.findall(r'^(?:msgctxt "(.*)"\n)?msgid "(.+)"$', text, re.M))

    committed = entries(PLUGIN / "skylt" / "languages" / "skylt.pot")
    assert entries(fresh) == committed, "run plugins/woocommerce/bin/make-pot"
    assert ("", "Test connection") in committed and ("block title", "Skylt recommendations") in committed
    assert len(committed) >= 50


def test_the_plugin_header_and_the_wordpress_org_readme() -> None:
    head = (PLUGIN / "skylt" / "skylt.php").read_text()
    fields = dict(re.findall(r"^ \* ([A-Za-z ]+?): +(.+)$", head, re.M))
    assert fields["Requires Plugins"] == "woocommerce"
    assert fields["WC tested up to"] == "10.0"
    readme = (PLUGIN / "skylt" / "readme.txt").read_text()
    assert readme.startswith(f"=== {fields['Plugin Name']} ===\n")
    meta = dict(re.findall(r"^([A-Za-z ]+): (.+)$", readme.split("\n\n", 1)[0], re.M))
    assert meta["Stable tag"] == fields["Version"] and meta["Requires PHP"] == fields["Requires PHP"]
    assert meta["Requires at least"] == fields["Requires at least"] and meta["License"] == fields["License"]
    assert len(readme.split("\n\n", 2)[1]) <= 150  # the short description WordPress.org shows
    for section in ("Description", "Installation", "Frequently Asked Questions", "Changelog"):
        assert f"\n== {section} ==\n" in readme
