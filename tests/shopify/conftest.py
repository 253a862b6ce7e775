"""A small shop whose item ids are Shopify product ids, served in-process with webhooks configured."""

from __future__ import annotations

import csv
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec
import pytest
from starlette.testclient import TestClient

from edge.shopify.verify import signature

SECRET = "shpss_test_secret"
SHOP = "skylt-test.myshopify.com"
PRODUCTS = [str(7_000_000_000 + i) for i in range(30)]


@pytest.fixture(scope="session")
def shop_tables(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from edge.build.pipeline import build

    root = tmp_path_factory.mktemp("shopify-shop")
    rng = random.Random(7)
    with open(root / "events.csv", "w", newline="") as f:
        out = csv.writer(f)
        out.writerow(["ts", "type", "item_id", "order_id", "user_id", "quantity", "price"])
        for order in range(400):
            # A skewed popularity, so bestsellers has a clear head.
            for item in {rng.choice(PRODUCTS[: rng.choice([5, 12, 30])]) for _ in range(3)}:
                out.writerow([1_700_000_000 + order * 600, "purchase", item, f"o{order}", f"u{order % 90}", 1, 10])
    with open(root / "catalog.csv", "w", newline="") as f:
        out = csv.writer(f)
        out.writerow(["item_id", "title", "price", "currency", "in_stock"])
        for i, item in enumerate(PRODUCTS):
            out.writerow([item, f"Product {i}", 10 + i, "SEK", "true"])
    build([root / "events.csv"], root / "tables", catalog_path=root / "catalog.csv")
    return root / "tables"


def settings_for(tables: Path, tmp_path: Path, **overrides: Any) -> dict[str, Any]:
    return {"tables": str(tables), "poll_seconds": 3600.0, "overlay_poll_seconds": 3600.0,
            "catalog_overlay": str(tmp_path / "overlay"), "event_log": str(tmp_path / "events"),
            "shopify_state": str(tmp_path / "shopify"), "shopify_webhook_secrets": f"old-shopify-secret-01,{SECRET}",
            **overrides}


@pytest.fixture
def shop_client(shop_tables: Path, tmp_path: Path) -> Iterator[TestClient]:
    from edge.config import Settings
    from edge.serve.app import create_app

    app = create_app(Settings.load(**settings_for(shop_tables, tmp_path)))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def deliver(client: TestClient, topic: str, payload: Any, *, secret: str | None = SECRET, webhook_id: str | None = None,
            shop: str = SHOP, body: bytes | None = None, hmac: str | None = None) -> Any:
    """POST a delivery as Shopify sends it: raw JSON body, signed over exactly those bytes."""
    raw = msgspec.json.encode(payload) if body is None else body
    headers = {"Content-Type": "application/json", "X-Shopify-Topic": topic, "X-Shopify-Shop-Domain": shop,
               "X-Shopify-API-Version": "2026-10", "X-Shopify-Triggered-At": "2026-11-23T10:00:00Z"}
    if webhook_id is not None:
        headers["X-Shopify-Webhook-Id"] = webhook_id
    if hmac is not None:
        headers["X-Shopify-Hmac-Sha256"] = hmac
    elif secret is not None:
        headers["X-Shopify-Hmac-Sha256"] = signature(raw, secret)
    return client.post("/v1/shopify/webhooks", content=raw, headers=headers)


def product(product_id: str, *, quantity: int = 5, price: str = "19.90", status: str = "active",
            inventory_item: int | None = None, management: str | None = "shopify", policy: str = "deny",
            title: str = "Linen apron") -> dict[str, Any]:
    """A products/update payload in Shopify's shape (abridged)."""
    item = inventory_item or int(product_id) + 1000
    return {
        "id": int(product_id), "title": title, "handle": "linen-apron", "status": status, "vendor": "Acme",
        "body_html": "<p>Soft\nlinen</p>", "product_type": "Kitchen", "created_at": "2026-01-02T10:00:00-05:00",
        "updated_at": "2026-11-23T10:00:00-05:00", "published_at": "2026-01-02T10:00:00-05:00",
        "admin_graphql_api_id": f"gid://shopify/Product/{product_id}",
        "variants": [
            {"id": 40000 + item, "product_id": int(product_id), "title": "Default Title", "price": price,
             "sku": "APR-1", "inventory_policy": policy, "inventory_management": management,
             "inventory_item_id": item, "inventory_quantity": quantity, "old_inventory_quantity": quantity,
             "admin_graphql_api_id": f"gid://shopify/ProductVariant/{40000 + item}"},
            {"id": 50000 + item, "product_id": int(product_id), "title": "Large", "price": "24.90",
             "sku": "APR-2", "inventory_policy": policy, "inventory_management": management,
             "inventory_item_id": item + 500, "inventory_quantity": 0, "old_inventory_quantity": 0},
        ],
        "image": {"id": 1, "product_id": int(product_id), "src": "https://cdn.shopify.com/s/files/apron.jpg"},
        "images": [{"id": 1, "src": "https://cdn.shopify.com/s/files/apron.jpg"}],
    }


def order(order_id: int, lines: list[tuple[str, int, str]], customer: int | None = 555) -> dict[str, Any]:
    """An orders/create payload in Shopify's shape (abridged)."""
    return {
        "id": order_id, "name": f"#{order_id}", "created_at": "2026-11-20T12:00:00+01:00", "currency": "SEK",
        "email": "shopper@example.com", "test": False,
        "customer": {"id": customer, "email": "shopper@example.com", "first_name": "Ann"} if customer else None,
        "shipping_address": {"country_code": "SE", "address1": "Storgatan 1"},
        "line_items": [
            {"id": 9000 + n, "product_id": int(p) if p else None, "variant_id": 1, "quantity": q, "price": price,
             "price_set": {"shop_money": {"amount": price, "currency_code": "SEK"}}, "gift_card": False}
            for n, (p, q, price) in enumerate(lines)],
    }
