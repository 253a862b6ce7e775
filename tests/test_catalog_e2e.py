"""Catalog updates against a real server with two workers: every worker applies them."""

import time

import httpx
import pytest

from tests.conftest import Server

pytestmark = pytest.mark.slow

HOME = {"page": "home", "slots": "bestsellers,trending,category_picks", "n": "20"}


def prices(url: str) -> dict[str, float]:
    # A fresh connection per request, so the kernel spreads them over both workers.
    r = httpx.get(f"{url}/v1/recommend", params=HOME, timeout=10)
    assert r.status_code == 200, r.text
    return {item["id"]: item["price"] for slot in r.json()["slots"] for item in slot["items"]}


def shown(url: str) -> set[str]:
    return set(prices(url))


def test_an_item_put_out_of_stock_disappears_in_every_worker_within_a_second(demo_tables, tmp_path, http_server):
    srv = Server(demo_tables, workers=2, env={"SKYLT_ADMIN_KEYS": "e2e-admin-key-0001",
                                              "SKYLT_CATALOG_OVERLAY": str(tmp_path / "overlay")},
                 server=http_server)
    try:
        srv.wait_ready()
        target, repriced = sorted(shown(srv.url))[:2]
        assert all(target in shown(srv.url) for _ in range(20))
        r = httpx.put(f"{srv.url}/v1/catalog/items", json={"items": [{"id": target, "in_stock": False},
                                                                     {"id": repriced, "price": 123.45}]},
                      headers={"Authorization": "Bearer e2e-admin-key-0001"}, timeout=10)
        assert r.status_code == 200, r.text
        written = time.monotonic()
        # Until every worker has reloaded, a response may still show it; after 1.5 s none may.
        while time.monotonic() - written < 1.5:
            shown(srv.url)
        for _ in range(100):
            got = prices(srv.url)
            assert target not in got and got[repriced] == 123.45
        metrics = [httpx.get(f"{srv.url}/metrics", timeout=10).text for _ in range(20)]
        assert all("skylt_overlay_generation 1.0" in m for m in metrics)
    finally:
        srv.stop()
