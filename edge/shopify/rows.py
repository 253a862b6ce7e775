"""Admin GraphQL product and order nodes -> rows of Skylt's catalog and events formats (docs/data-format.md).

The same item and user ids as the webhooks (edge/shopify/products.py): numeric product ids, and customer ids
hashed with a salt (edge/profiles/salt.py; the server's own when the sync is given its profile directory).
Cancelled orders and lines without a product (custom items, tips) are left out.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from edge.shopify.products import numeric_id
from edge.urls import served_url


def seconds(value: str) -> int:
    dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return math.floor((dt if dt.tzinfo else dt.replace(tzinfo=UTC)).timestamp())


def _dig(node: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(node, dict):
            return None
        node = node.get(key)
    return node


def _number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) and number >= 0 else None


def catalog_row(product: dict[str, Any], variants: list[dict[str, Any]], shop: str) -> dict[str, Any]:
    sellable = any(v.get("inventoryPolicy") == "CONTINUE" or not _dig(v, "inventoryItem", "tracked")
                   or (v.get("inventoryQuantity") or 0) > 0 for v in variants)
    if not variants:  # nothing listed: the product's own totals
        sellable = not product.get("tracksInventory") or (product.get("totalInventory") or 0) > 0
    handle = product.get("handle")
    row = {
        "item_id": numeric_id(product.get("id"), "id"),
        "title": product.get("title"),
        "url": served_url(product.get("onlineStoreUrl") or (f"https://{shop}/products/{handle}" if handle else None)),
        "image": served_url(_dig(product, "featuredMedia", "preview", "image", "url")),
        "price": _number(_dig(product, "priceRangeV2", "minVariantPrice", "amount")),
        "currency": _dig(product, "priceRangeV2", "minVariantPrice", "currencyCode"),
        "category": product.get("productType") or None,
        "brand": product.get("vendor") or None,
        # Draft and archived products stay in the catalog (their history still counts) but are never shown.
        "in_stock": product.get("status") == "ACTIVE" and sellable,
        "created_at": seconds(product["createdAt"]) if product.get("createdAt") else None,
    }
    return {k: v for k, v in row.items() if v is not None}


def purchase_rows(order: dict[str, Any], lines: list[dict[str, Any]],
                  hash_user: Callable[[str], str]) -> list[dict[str, Any]]:
    """``hash_user``: the customer id as stored (hashed with the install's salt, as the server stores it)."""
    if order.get("cancelledAt"):
        return []
    order_id = numeric_id(order.get("id"), "id")
    customer = _dig(order, "customer", "id")
    region = _dig(order, "shippingAddress", "countryCodeV2") or _dig(order, "billingAddress", "countryCodeV2")
    rows = []
    for line in lines:
        product = _dig(line, "product", "id")
        if product is None:
            continue
        row = {"ts": seconds(order["createdAt"]), "type": "purchase", "item_id": numeric_id(product, "product.id"),
               "order_id": order_id, "user_id": hash_user(numeric_id(customer, "customer.id")) if customer else None,
               "quantity": line.get("quantity"),
               "price": _number(_dig(line, "originalUnitPriceSet", "shopMoney", "amount")), "region": region}
        rows.append({k: v for k, v in row.items() if v is not None})
    return rows
