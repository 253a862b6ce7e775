"""Webhooks against a real server with two workers: shared delivery ids, overlay and event log."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import msgspec
import pytest

from edge.events.segments import lines, segments
from edge.shopify.verify import signature
from tests.conftest import Server
from tests.shopify.conftest import PRODUCTS, SECRET, SHOP, order, product

pytestmark = pytest.mark.slow


def post(url: str, topic: str, payload: object, webhook_id: str) -> httpx.Response:
    raw = msgspec.json.encode(payload)
    # A fresh connection per request, so the kernel spreads them over both workers.
    return httpx.post(f"{url}/v1/shopify/webhooks", content=raw, timeout=10, headers={
        "Content-Type": "application/json", "X-Shopify-Topic": topic, "X-Shopify-Shop-Domain": SHOP,
        "X-Shopify-Webhook-Id": webhook_id, "X-Shopify-Hmac-Sha256": signature(raw, SECRET)})


def shown(url: str) -> set[str]:
    r = httpx.get(f"{url}/v1/recommend", params={"page": "home", "n": "30"}, timeout=10)
    assert r.status_code == 200, r.text
    return {item["id"] for slot in r.json()["slots"] for item in slot["items"]}


def test_every_worker_applies_a_delivery_once(shop_tables, tmp_path):
    srv = Server(shop_tables, workers=2, env={
        "SKYLT_SHOPIFY_WEBHOOK_SECRETS": SECRET, "SKYLT_CATALOG_OVERLAY": str(tmp_path / "overlay"),
        "SKYLT_EVENT_LOG": str(tmp_path / "events"), "SKYLT_SHOPIFY_STATE": str(tmp_path / "shopify")})
    try:
        srv.wait_ready()
        target = PRODUCTS[0]
        assert all(target in shown(srv.url) for _ in range(10))
        # Shopify retrying while the first attempt is still in flight: both workers see the same id. A
        # retry that finds it in progress answers 409 (so Shopify tries again later, in case it fails).
        payload = order(42, [(PRODUCTS[1], 1, "10.00"), (PRODUCTS[2], 2, "5.00")])
        with ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(lambda _: post(srv.url, "orders/create", payload, "dup-1"), range(8)))
        assert all(a.status_code in (200, 409) for a in answers), [a.text for a in answers]
        assert sum(a.json().get("events", 0) for a in answers if a.status_code == 200) == 2
        assert post(srv.url, "orders/create", payload, "dup-1").json() == {"topic": "orders/create", "duplicate": True}
        assert len([line for line in lines(segments(tmp_path / "events")) if line.strip()]) == 2
        r = post(srv.url, "products/update", product(target, quantity=0), "stock-1")
        assert r.status_code == 200 and r.json()["upserted"] == [target]
        written = time.monotonic()
        while time.monotonic() - written < 1.5:  # every worker reloads the overlay within its poll interval
            shown(srv.url)
        assert not any(target in shown(srv.url) for _ in range(40))
        unsigned = httpx.post(f"{srv.url}/v1/shopify/webhooks", content=b"{}", timeout=10,
                              headers={"X-Shopify-Topic": "shop/redact", "X-Shopify-Shop-Domain": SHOP})
        assert unsigned.status_code == 401
    finally:
        srv.stop()
