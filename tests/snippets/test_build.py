"""The committed minified snippet is exactly what the pinned build makes from skylt.js, and small enough for
Shopify's Theme Check (10,000 bytes)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from tests.conftest import REPO
from tests.requires import missing

SNIPPETS = REPO / "snippets"
DIST = SNIPPETS / "dist" / "skylt.min.js"


def test_the_committed_build_is_reproducible_and_small(tmp_path: Path) -> None:
    node = shutil.which("node")
    if node is None:
        missing("node", "apt-get install nodejs")
    if not (SNIPPETS / "node_modules" / "terser").is_dir():
        missing("snippets/node_modules", "cd snippets && npm ci")
    out = tmp_path / "skylt.min.js"
    subprocess.run([node, "build.mjs", "--out", str(out)], cwd=SNIPPETS, check=True, capture_output=True, timeout=120)
    built = out.read_bytes()
    assert built == DIST.read_bytes(), "snippets/dist/skylt.min.js is stale: run `npm run build` in snippets/"
    assert len(built) <= 10_000


def test_the_demo_shop_serves_the_committed_build() -> None:
    served = REPO / "edge" / "storefront" / "static" / "skylt.js"
    assert served.read_bytes() == DIST.read_bytes()
