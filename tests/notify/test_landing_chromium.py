"""A landing through an email's item link is attributed in `skylt report` (real Chromium on the demo shop): the
message's render is logged as impressions on ``email:cart``, the snippet turns the landing into a click, and the
order placed afterwards is a purchase of that slot with its revenue."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import httpx
from click.testing import CliRunner

from edge.cli import main
from tests.conftest import IDENTITY_SECRET, SERVER_KEY, Server
from tests.notify.conftest import ADMIN_KEY, HOUR, INGEST_KEY, KLAVIYO_KEY, SECRET_KEY, FakeService, Shop, read_events


def test_a_landing_from_an_email_link_is_attributed_to_the_email_slot(page: Any, tmp_path: Path, demo_tables: Path,
                                                                      klaviyo: FakeService) -> None:
    env = {"event_log": str(tmp_path / "events"), "catalog_overlay": str(tmp_path / "overlay"),
           "notify_state": str(tmp_path / "notify"), "ingest_keys": INGEST_KEY, "server_keys": SERVER_KEY,
           "admin_keys": ADMIN_KEY, "identity_secrets": IDENTITY_SECRET, "secret_key": SECRET_KEY,
           "klaviyo_private_key": KLAVIYO_KEY, "klaviyo_api_url": klaviyo.url, "storefront": "true"}
    srv = Server(demo_tables, env={f"SKYLT_{k.upper()}": v for k, v in env.items()})
    try:
        srv.wait_ready()
        ts = int(time.time() - 25 * HOUR)
        answer = httpx.post(f"{srv.url}/v1/events", headers={"X-Skylt-Key": SERVER_KEY}, json={"events": [
            {"type": "cart", "item": item, "user": "cust-mail", "ts": ts, "marketing": True}
            for item in ("85123A", "22423")]})
        assert answer.status_code == 200 and answer.json()["accepted"] == 2, answer.text
        shop = Shop(demo_tables, tmp_path, {"tables": str(demo_tables), **env,
                                            "notify_item_url": f"{srv.url}/storefront/p/{{id}}"})
        assert shop.notify().sent == 1
        attrs = klaviyo.received[0].json()["data"]["attributes"]
        rid = attrs["properties"]["request_id"]
        item = attrs["properties"]["items"][0]

        page.set_default_timeout(10_000)
        page.goto(item["url"])  # the shopper opens the email and follows the first item's link
        page.wait_for_selector("text=Add to cart")
        page.evaluate("Skylt.flush()")
        events = tmp_path / "events"
        deadline = time.monotonic() + 10
        while not [e for e in read_events(events) if e["type"] == "click" and e.get("request_id") == rid]:
            assert time.monotonic() < deadline, "the landing was never logged as a click"
            time.sleep(0.1)
        page.click("text=Add to cart")
        page.wait_for_url("**/storefront/cart")
        page.click("text=Place order")
        page.wait_for_url("**/storefront/thanks*")
        page.evaluate("Skylt.flush()")

        deadline = time.monotonic() + 15
        while True:
            result = CliRunner().invoke(main, ["report", "--events-dir", str(events), "--json", "--control-share",
                                               "0"])
            assert result.exit_code == 0, result.output
            report = json.loads(result.stdout)
            rows = [r for r in report["slots"] if (r["page"], r["slot"]) == ("email:cart", item["slot"])]
            if rows and rows[0]["purchases"]:
                break
            assert time.monotonic() < deadline, report["slots"]
            time.sleep(0.2)
        [row] = rows
        assert row["impressions"] == 1 and row["clicks"] == 1
        assert (row["purchases"], row["currency"]) == (1, "GBP")
        assert row["revenue"] == item["price"]
    finally:
        srv.stop()
