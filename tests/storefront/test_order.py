"""The demo loop in Chromium against `skylt demo` itself: a product, a card of "Similar items", add to cart,
**Place order**, "Thank you"; the order is reported with the demo's server key, so `skylt report --json` shows
the purchase and its revenue on product/similar, and the dashboard opens with the admin key the demo printed."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
from click.testing import CliRunner

from edge.cli import main
from tests.conftest import free_port
from tests.waiting import wait_until


def start_demo(tmp_path: Path, demo_tables: Path) -> tuple[subprocess.Popen[bytes], str, str]:
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "tables").symlink_to(demo_tables)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SKYLT_")}
    proc = subprocess.Popen([sys.executable, "-m", "edge", "demo", "--out", str(tmp_path / "out"), "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env={**env, "COLUMNS": "250"},
                            cwd=tmp_path)
    assert proc.stdout is not None
    printed = ""
    deadline = time.monotonic() + 120
    while "report:" not in printed:
        line = proc.stdout.readline().decode()
        assert line and time.monotonic() < deadline, f"the demo printed no dashboard line: {printed}"
        printed += line
    found = re.search(r"dashboard: +(\S+) \(any user name, password (\S+)\)", printed)
    assert found, printed
    base = found.group(1).removesuffix("/dashboard")

    def ready() -> bool:
        assert proc.poll() is None, "demo exited"
        try:
            return httpx.get(f"{base}/readyz", timeout=1).status_code == 200
        except httpx.TransportError:
            return False

    wait_until(ready, max(1.0, deadline - time.monotonic()), what="the demo up")
    return proc, base, found.group(2)


def test_a_similar_item_bought_from_the_demo_shop_is_a_purchase_on_product_similar(
        page: Any, tmp_path: Path, demo_tables: Path) -> None:
    proc, base, admin = start_demo(tmp_path, demo_tables)
    try:
        page.set_default_timeout(10_000)
        page.goto(f"{base}/storefront/p/22423")
        link = page.wait_for_selector("section[data-slot=similar] a.skylt-link")
        clicked = link.get_attribute("href").rsplit("/", 1)[1]
        price = link.evaluate("a => a.closest('li').querySelector('.skylt-price').textContent")
        link.click()
        page.wait_for_url(f"**/p/{clicked}")
        page.click("text=Add to cart")
        page.wait_for_url("**/storefront/cart")
        page.click("text=Place order")
        page.wait_for_url("**/storefront/thanks*")
        assert page.locator("h1").text_content() == "Thank you"
        page.evaluate("Skylt.flush()")

        events = tmp_path / "out" / "events"
        deadline = time.monotonic() + 15
        while True:
            result = CliRunner().invoke(main, ["report", "--events-dir", str(events), "--json", "--control-share", "0"])
            assert result.exit_code == 0, result.output
            report = json.loads(result.stdout)
            rows = [r for r in report["slots"] if (r["page"], r["slot"]) == ("product", "similar")]
            if rows and rows[0]["purchases"]:
                break
            assert time.monotonic() < deadline, report["slots"]
            time.sleep(0.2)
        [row] = rows
        assert (row["purchases"], row["currency"]) == (1, "GBP")
        assert f"£{row['revenue']:,.2f}" == price
        assert row["clicks"] == 1 and row["carts"] == 1
        assert report["orders"] == 1
        # Reported by the shop's server, not the browser: the builder counts it.
        logged = [json.loads(line) for seg in sorted(events.glob("events-*.jsonl"))
                  for line in seg.read_text().splitlines()]
        [bought] = [e for e in logged if e["type"] == "purchase"]
        assert bought["item_id"] == clicked and "source" not in bought and bought["slot"] == "similar"

        dashboard = httpx.get(f"{base}/dashboard", auth=("shop", admin), timeout=10)
        assert dashboard.status_code == 200 and "1 orders" in dashboard.text
    finally:
        proc.terminate()
        proc.communicate(timeout=15)
