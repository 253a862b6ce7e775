"""`shopify app build`, offline: Shopify CLI validates shopify.app.toml against its schema, builds both extensions
(the web pixel bundled with esbuild, the theme extension checked), and the bundle it writes behaves like the
source the pixel tests run."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.shopify_extension.conftest import APP, shopify_cli
from tests.shopify_extension.test_pixel import ALLOWED, SETTINGS, checkout_completed, run


def app_copy(tmp_path: Path) -> Path:
    """The app without build output; the build writes into the copy, never into the repository."""
    copy = tmp_path / "app"
    copy.mkdir()
    shutil.copy(APP / "shopify.app.toml", copy)
    shutil.copy(APP / "package.json", copy)
    shutil.copytree(APP / "extensions", copy / "extensions", ignore=shutil.ignore_patterns("dist", "node_modules"))
    (copy / "node_modules").symlink_to(APP / "node_modules")
    return copy


def test_app_builds_offline_and_the_bundle_sends_the_same_events(tmp_path: Path) -> None:
    app = app_copy(tmp_path)
    proc = shopify_cli(["app", "build", "--path", str(app)], tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    bundle = app / "extensions" / "skylt-pixel" / "dist" / "skylt-events.js"
    assert 0 < bundle.stat().st_size < 10_000
    # The checkout UI extension is built too, one bundle for its targets, under Shopify's 64 KB limit.
    checkout = list((app / "extensions" / "skylt-checkout" / "dist").glob("*.js"))
    assert checkout and all(0 < b.stat().st_size < 64_000 for b in checkout), checkout
    steps = [{"event": "checkout_completed", "payload": checkout_completed()}]
    from_source = run(steps, privacy=ALLOWED, settings=SETTINGS)
    from_bundle = run(steps, privacy=ALLOWED, settings=SETTINGS, pixel=str(bundle))
    assert from_bundle == from_source and len(from_bundle["sent"][0]["body"]["events"]) == 2


def test_invalid_app_config_fails_the_build(tmp_path: Path) -> None:
    app = app_copy(tmp_path)
    config = app / "shopify.app.toml"
    config.write_text(config.read_text().replace('api_version = "2026-10"', "api_version = 42", 1))
    proc = shopify_cli(["app", "build", "--path", str(app)], tmp_path)
    assert proc.returncode != 0
    assert "webhooks.api_version" in proc.stdout + proc.stderr
    assert "built!" not in proc.stdout
