"""Shopify's order CSV export -> purchase events.

The export has one row per line item. Order-level columns (Email, Financial Status, Created at, Currency, addresses,
Cancelled at) are filled on the order's first row and may be blank on the rows after it; every row repeats the
order's Name, which groups them. The order id written is the export's numeric Id (the id Shopify's webhooks
and Admin API use), else the Name. Each line item of an order that was not cancelled, voided, refunded in full or left
to expire becomes one purchase event for the product it names (by SKU, else by its "Title - Options" name).
Customers are identified by a keyed hash of their e-mail address; the address itself is never written.
"""

from __future__ import annotations

import hashlib
import hmac
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from edge.build.frames import EVENTS_SCHEMA, EventType
from edge.shopify.csv_products import Products
from edge.shopify.csv_sheet import Fields, Sheet

FIELDS: Fields = {
    "name": ("Name",),
    "email": ("Email",),
    "financial_status": ("Financial Status",),
    "created_at": ("Created at",),
    "cancelled_at": ("Cancelled at",),
    "currency": ("Currency",),
    "quantity": ("Lineitem quantity",),
    "item_name": ("Lineitem name",),
    "price": ("Lineitem price",),
    "sku": ("Lineitem sku",),
    "shipping_country": ("Shipping Country",),
    "billing_country": ("Billing Country",),
    "id": ("Id",),
}
ORDER_FIELDS = ("email", "financial_status", "created_at", "cancelled_at", "currency",
                "shipping_country", "billing_country", "id")
NOT_SOLD = frozenset({"voided", "refunded", "expired"})


@dataclass
class Orders:
    events: pa.Table
    orders: int = 0
    currencies: Counter[str] = field(default_factory=Counter)
    skipped_orders: Counter[str] = field(default_factory=Counter)
    skipped_lines: Counter[str] = field(default_factory=Counter)


def customer_id(email: str | None, key: str) -> str | None:
    """HMAC-SHA256(key, "email:<address>") in 32 hex digits; addresses compared trimmed and lower-cased."""
    if not email or not email.strip():
        return None
    return hmac.new(key.encode(), f"email:{email.strip().lower()}".encode(), hashlib.sha256).hexdigest()[:32]


def read_orders(path: str | Path, products: Products, *, customer_key: str) -> Orders:
    sheet = Sheet(path, FIELDS, required=("name", "created_at", "quantity", "item_name"))
    col: dict[str, list[Any]] = {f: sheet.text(f) for f in ("name", "email", "financial_status", "cancelled_at",
                                                            "currency", "item_name", "sku", "shipping_country",
                                                            "billing_country", "id")}
    col["created_at"] = sheet.timestamp("created_at")
    col["quantity"] = sheet.number("quantity", minimum=0)
    col["price"] = sheet.number("price", minimum=0)
    sheet.check()

    result = Orders(pa.Table.from_pylist([], schema=EVENTS_SCHEMA))
    first: dict[str, int] = {}   # order name -> its first row, where order-level columns live
    rows: list[dict[str, Any]] = []
    users: dict[str | None, str | None] = {}  # e-mail -> hashed id, computed once per customer
    for row in range(sheet.rows):
        name = col["name"][row]
        if name is None:
            raise sheet.error(row, "name", "empty value; every row names its order")
        head = first.setdefault(name, row)
        order = {f: col[f][row] if col[f][row] is not None else col[f][head] for f in ORDER_FIELDS}
        status = (order["financial_status"] or "").lower()
        not_sold = "cancelled" if order["cancelled_at"] else status if status in NOT_SOLD else None
        if head == row:
            if order["created_at"] is None:
                raise sheet.error(row, "created_at", f"order {name} has no creation time")
            if not_sold:
                result.skipped_orders[not_sold] += 1
            else:
                result.orders += 1
                if order["currency"]:
                    result.currencies[order["currency"].upper()] += 1
        if not_sold:
            continue
        if col["item_name"][row] is None and col["sku"][row] is None:
            raise sheet.error(row, "item_name", f"a line of order {name} names no item")
        quantity = col["quantity"][row]
        if not quantity:
            result.skipped_lines["zero or no quantity"] += 1
            continue
        item = products.item_for(col["sku"][row], col["item_name"][row])
        if item is None:
            result.skipped_lines["not in the product export"] += 1
            continue
        if order["email"] not in users:
            users[order["email"]] = customer_id(order["email"], customer_key)
        rows.append({
            "ts": order["created_at"], "type": int(EventType.PURCHASE), "item_id": item, "session_id": None,
            "user_id": users[order["email"]], "order_id": order["id"] or name,
            "quantity": quantity, "price": col["price"][row],
            "region": order["shipping_country"] or order["billing_country"], "segment": None,
        })
    result.events = pa.Table.from_pylist(rows, schema=EVENTS_SCHEMA)
    return result
