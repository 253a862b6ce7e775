"""Takes the dashboard's screenshot for the README: `python -m tests.report.screenshot docs/img/dashboard.png`.

Builds the demo snapshot in a temporary directory, writes a synthetic month of events and impressions (the
benchmark's generator, 200k rows, a 10 % control bucket), serves it and captures /dashboard in headless Chromium
with the admin key. Not a test: run it by hand when the dashboard's look changes.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from benchmarks.report_bench import generate
from edge.build.demo import demo_files
from edge.build.pipeline import build
from tests.chromium import FLAGS, chromium_path
from tests.conftest import Server

ADMIN = "screenshot-admin-key-0001"


def main(out: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tables = Path(tmp) / "tables"
        events, catalog = demo_files()
        build(events, tables, catalog_path=catalog)
        generate(Path(tmp) / "events", 200_000)
        server = Server(tables, env={"SKYLT_EVENT_LOG": f"{tmp}/events", "SKYLT_ADMIN_KEYS": ADMIN,
                                     "SKYLT_CONTROL_SHARE": "0.1"})
        try:
            server.wait_ready()
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=chromium_path(), args=FLAGS)
                context = browser.new_context(viewport={"width": 1100, "height": 1600},
                                              http_credentials={"username": "shop", "password": ADMIN})
                page = context.new_page()
                page.goto(f"{server.url}/dashboard?since=2026-09-01")
                page.wait_for_selector("svg")
                page.screenshot(path=str(out), full_page=True)
                browser.close()
        finally:
            server.stop()


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "dashboard.png"))
