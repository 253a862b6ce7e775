"""Takes the demo shop's screenshot for the README: `python -m tests.storefront.screenshot docs/img/storefront.png`.

Builds the demo snapshot in a temporary directory, serves it with the shop, browses a few products so the
personal rows fill in, puts one in the cart and captures the cart page. Not a test: run it by hand when the
shop's look changes.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from edge.build.demo import demo_files
from edge.build.pipeline import build
from tests.chromium import FLAGS, chromium_path
from tests.conftest import Server

BROWSE = ["p/85123A", "p/22423", "p/84879", "p/22720"]


def main(out: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tables = Path(tmp) / "tables"
        events, catalog = demo_files()
        build(events, tables, catalog_path=catalog)
        server = Server(tables, env={"SKYLT_STOREFRONT": "true", "SKYLT_CATALOG_OVERLAY": f"{tmp}/overlay"})
        try:
            server.wait_ready()
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=chromium_path(), args=FLAGS)
                page = browser.new_page(viewport={"width": 1280, "height": 1180})
                for path in BROWSE:
                    page.goto(f"{server.url}/storefront/{path}")
                    page.wait_for_selector("skylt-slot[data-state=ready]")
                page.click("text=Add to cart")
                page.wait_for_selector("skylt-slot[data-state=ready] .skylt-card")
                page.screenshot(path=str(out))
                browser.close()
        finally:
            server.stop()


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "storefront.png"))
