"""Two apps (replicas) with one ``state_url``: Shopify's deliveries may reach either. A retry delivered to the other
replica is acknowledged, not applied twice; a stock level sent to one applies to the inventory item the other
learned, and both stop offering the product."""

from __future__ import annotations

from starlette.testclient import TestClient

from edge.config import Settings
from edge.serve.app import create_app
from tests.shopify.conftest import PRODUCTS, deliver, order, product, settings_for
from tests.waiting import wait_until


def shown(client: TestClient) -> list[str]:
    r = client.get("/v1/recommend", params={"page": "home", "slots": "bestsellers", "n": "50"})
    assert r.status_code == 200, r.text
    return [i["id"] for i in r.json()["slots"][0]["items"]]


def test_deliveries_reach_either_replica_and_are_applied_once(shop_tables, tmp_path, redis_server):
    apps = [create_app(Settings.load(**settings_for(shop_tables, tmp_path / name, state_url=redis_server.url,
                                                    overlay_poll_seconds=0.05)))
            for name in ("one", "two")]
    with TestClient(apps[0]) as one, TestClient(apps[1]) as two:
        payload = order(1001, [(PRODUCTS[0], 2, "19.90")])
        assert deliver(one, "orders/create", payload, webhook_id="w-1").json()["events"] == 1
        assert deliver(two, "orders/create", payload, webhook_id="w-1").json() == {"topic": "orders/create",
                                                                                 "duplicate": True}
        assert "logged before" in deliver(two, "orders/create", payload, webhook_id="w-2").json()["ignored"]

        item = PRODUCTS[2]
        deliver(one, "products/update", product(item, quantity=4, inventory_item=880001), webhook_id="p-1")
        level = {"inventory_item_id": 880001, "location_id": 6884556842, "available": 0}
        r = deliver(two, "inventory_levels/update", level, webhook_id="l-1")
        assert r.json() == {"topic": "inventory_levels/update", "upserted": [item]}
        wait_until(lambda: item not in shown(one) and item not in shown(two), timeout=1.0,
                   what="the stock change reaching both")
