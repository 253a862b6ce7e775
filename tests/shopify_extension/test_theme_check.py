"""Shopify's own Theme Check (Shopify CLI 3.x, theme-app-extension config) over the theme app extension, offline."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.shopify_extension.conftest import THEME, shopify_cli


def theme_check(path: Path, home: Path) -> tuple[int, list[dict[str, Any]]]:
    proc = shopify_cli(["theme", "check", "--path", str(path), "-C", "theme-check:theme-app-extension",
                        "--fail-level", "error", "--output", "json"], home)
    start = proc.stdout.find("[")
    assert start >= 0, f"no JSON report from theme check (exit {proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
    return proc.returncode, json.loads(proc.stdout[start:])


def offenses(report: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    return [(Path(f["path"]).name, o["check"], o["severity"]) for f in report for o in f["offenses"]]


def test_extension_passes_theme_check(tmp_path: Path) -> None:
    code, report = theme_check(THEME, tmp_path)
    assert code == 0, report
    assert not [o for o in offenses(report) if o[2] == "error"]
    # The one warning: the check does not follow `render` from app blocks, so it calls the shared snippet unused.
    assert offenses(report) in ([], [("skylt-slot.liquid", "OrphanedSnippet", "warning")])


@pytest.mark.parametrize("breakage, check", [
    ("invalid-schema", "ValidSchema"),
    ("missing-translation", "ValidSchemaTranslations"),
    ("oversized-script", "AssetSizeAppBlockJavaScript"),
])
def test_broken_copy_fails_theme_check(tmp_path: Path, breakage: str, check: str) -> None:
    broken = tmp_path / "skylt-theme"
    shutil.copytree(THEME, broken)
    if breakage == "invalid-schema":
        path = broken / "blocks" / "cart.liquid"
        path.write_text(path.read_text().replace('"target": "section",', '"target": "section",,', 1))
    elif breakage == "missing-translation":
        path = broken / "blocks" / "home.liquid"
        path.write_text(path.read_text().replace("t:settings.items.label", "t:settings.nothing.label", 1))
    else:
        # Loaded through the schema (as Shopify injects block scripts), a script over 10,000 bytes is an error.
        path = broken / "blocks" / "embed.liquid"
        path.write_text(path.read_text().replace('"target": "body",', '"target": "body", "javascript": "big.js",', 1))
        (broken / "assets" / "big.js").write_text("// padding\n" * 1000)
    code, report = theme_check(broken, tmp_path)
    assert code != 0
    assert check in {o[1] for o in offenses(report) if o[2] == "error"}, report
