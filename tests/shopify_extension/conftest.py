"""The Shopify app's node side: Shopify CLI (Theme Check), liquidjs and the web pixel package, installed with
``npm ci`` in plugins/shopify; the node scripts these tests drive live in plugins/shopify/test."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.requires import missing

REPO = Path(__file__).resolve().parents[2]
APP = REPO / "plugins" / "shopify"
THEME = APP / "extensions" / "skylt-theme"
PIXEL = APP / "extensions" / "skylt-pixel"
INSTALL = "cd plugins/shopify && npm ci"


def node() -> str:
    found = shutil.which("node")
    if found is None:
        missing("node", "apt-get install nodejs npm")
    return found


def needs_packages(*packages: str) -> None:
    for package in packages:
        if not (APP / "node_modules" / package / "package.json").is_file():
            missing(f"npm package {package} in plugins/shopify", INSTALL)


def _offline_prefix() -> list[str]:
    """`unshare -n` (a network namespace with nothing in it) where the machine allows it, to prove Shopify CLI
    needs no network for what the tests run; elsewhere it runs as it is."""
    unshare = shutil.which("unshare")
    if unshare and subprocess.run([unshare, "-n", "true"], capture_output=True).returncode == 0:
        return [unshare, "-n"]
    return []


def shopify_cli(args: list[str], home: Path) -> subprocess.CompletedProcess[str]:
    """Shopify CLI from plugins/shopify/node_modules, offline, without analytics, prompts or a user config."""
    needs_packages("@shopify/cli")
    env = {**os.environ, "CI": "1", "SHOPIFY_CLI_NO_ANALYTICS": "1", "NO_COLOR": "1",
           "XDG_CONFIG_HOME": str(home / "config"), "XDG_CACHE_HOME": str(home / "cache")}
    cli = APP / "node_modules" / "@shopify" / "cli" / "bin" / "run.js"
    return subprocess.run([*_offline_prefix(), node(), str(cli), *args], capture_output=True, text=True,
                          timeout=300, env=env, cwd=APP)


def run_script(script: str, payload: dict[str, Any], timeout: float = 60) -> str:
    """Runs plugins/shopify/test/<script> with ``payload`` as JSON on stdin; returns stdout, fails on errors."""
    proc = subprocess.run([node(), str(APP / "test" / script)], input=json.dumps(payload), capture_output=True,
                          text=True, timeout=timeout, cwd=APP, env={**os.environ, "NODE_NO_WARNINGS": "1"})
    assert proc.returncode == 0, f"{script} failed:\n{proc.stderr}"
    return proc.stdout


@pytest.fixture(scope="session")
def liquid() -> Any:
    """render(block, context, settings=None, locale=None, now=None) -> HTML of blocks/<block>.liquid; ``now`` (Unix
    seconds) is the time Liquid's 'now' stands for."""
    needs_packages("liquidjs")

    def render(block: str, context: dict[str, Any], settings: dict[str, Any] | None = None,
               locale: str | None = None, now: int | None = None) -> str:
        return run_script("render-block.mjs", {"block": block, "context": context, "settings": settings or {},
                                               "locale": locale, "now": now})
    return render
