"""WooCommerce products and orders -> Skylt's catalog.csv and events.csv.gz.

Item ids follow the Skylt WordPress plugin, so imported history and live events name products alike: a product's id
is its SKU when it has one, else its post ID, and a variation counts as its parent product (recommendations link to
product pages, and sibling variations would crowd a slot). Customer ids are keyed hashes of ``user:<customer id>``
(or ``email:<billing e-mail>`` for guests); with the site's ``wp_salt('auth')`` as the key they equal the plugin's.
No e-mail address or WordPress user ID is written.

Orders whose status is processing or completed become one purchase event per line item.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa

from edge.build.frames import CATALOG_SCHEMA, EVENTS_SCHEMA, EventType
from edge.build.importers import CATALOG_FILE, write_skylt
from edge.urls import served_url
from edge.woocommerce.client import WooClient, WooCommerceError

PURCHASE_STATUSES = ("processing", "completed")
IN_STOCK = frozenset({"instock", "onbackorder"})  # a backorder can still be bought
_TAGS = re.compile(r"<[^>]*>")


@dataclass
class ImportSummary:
    products: int = 0
    orders: int = 0
    events: int = 0
    skipped_lines: Counter[str] = field(default_factory=Counter)
    paths: list[Path] = field(default_factory=list)


def customer_id(kind: str, value: str, key: str) -> str | None:
    """The plugin's opaque customer id: HMAC-SHA256(key, "<kind>:<value>"), 32 hex digits; e-mails lower-cased."""
    value = value.strip().lower() if kind == "email" else value.strip()
    if value in ("", "0"):
        return None
    return hmac.new(key.encode(), f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()[:32]


def item_id(product: dict[str, Any]) -> str:
    sku = str(product.get("sku") or "").strip()
    return sku or str(product["id"])


def _text(value: Any) -> str | None:
    text = _TAGS.sub("", html.unescape(str(value or ""))).strip()
    return text or None


def _number(value: Any) -> float | None:
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number >= 0 else None


def _gmt(value: Any) -> int | None:
    """WooCommerce's ``*_gmt`` fields are ISO-8601 in UTC without a zone."""
    if not value:
        return None
    try:
        dt = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return int((dt if dt.tzinfo else dt.replace(tzinfo=UTC)).timestamp())


def catalog_rows(products: Iterable[dict[str, Any]], currency: str | None) -> list[dict[str, Any]]:
    rows = []
    for p in products:
        images = p.get("images") or []
        categories = p.get("categories") or []
        brands = p.get("brands") or []  # WooCommerce 9.6+ ships product brands
        reviews = int(p.get("rating_count") or 0)
        rows.append({
            "item_id": item_id(p),
            "title": _text(p.get("name")),
            "url": served_url(p.get("permalink")),
            "image": served_url(images[0].get("src")) if images else None,
            "price": _number(p.get("price")),
            "currency": currency,
            "category": _text(categories[0].get("name")) if categories else None,
            "brand": _text(brands[0].get("name")) if brands else None,
            # Drafts and private products are not for sale even when stocked.
            "in_stock": p.get("status", "publish") == "publish" and p.get("stock_status", "instock") in IN_STOCK,
            "rating": _number(p.get("average_rating")) if reviews else None,
            "review_count": reviews if reviews else None,
            "created_at": _gmt(p.get("date_created_gmt")),
        })
    return rows


def event_rows(orders: Iterable[dict[str, Any]], ids: dict[int, str], key: str,
               summary: ImportSummary) -> list[dict[str, Any]]:
    rows = []
    for order in orders:
        if order.get("status") not in PURCHASE_STATUSES:
            continue
        ts = _gmt(order.get("date_paid_gmt")) or _gmt(order.get("date_created_gmt"))
        if ts is None:
            summary.skipped_lines["order without a date"] += len(order.get("line_items") or [])
            continue
        billing = order.get("billing") or {}
        user = (customer_id("user", str(order.get("customer_id") or ""), key)
                or customer_id("email", str(billing.get("email") or ""), key))
        summary.orders += 1
        for line in order.get("line_items") or []:
            product = int(line.get("product_id") or 0)
            quantity = _number(line.get("quantity"))
            if not quantity:
                summary.skipped_lines["zero quantity"] += 1
                continue
            if product not in ids:
                # Deleted since: without a catalog entry it would be recommended with no title or link.
                summary.skipped_lines["product no longer in the shop"] += 1
                continue
            price = _number(line.get("price"))
            if price is None and (total := _number(line.get("total"))) is not None:
                price = total / quantity
            rows.append({
                "ts": ts, "type": int(EventType.PURCHASE),
                "item_id": ids[product],
                "session_id": None, "user_id": user,
                "order_id": str(order.get("number") or order["id"]),
                "quantity": quantity, "price": price,
                "region": billing.get("country") or None, "segment": None,
            })
    return rows


def _table(rows: list[dict[str, Any]], schema: pa.Schema) -> pa.Table:
    return pa.Table.from_pylist(rows, schema=schema)


def fetch_and_write(client: WooClient, out_dir: str | Path, *, customer_key: str,
                    currency: str | None = None, after: str | None = None) -> ImportSummary:
    """Fetch every product and every processing/completed order (created after ``after``, ISO-8601, if given) and
    write catalog.csv and events.csv.gz into ``out_dir``."""
    summary = ImportSummary()
    products = client.all("products")
    order_params: dict[str, Any] = {"status": ",".join(PURCHASE_STATUSES), "orderby": "date", "order": "asc"}
    if after:
        order_params["after"] = after
    orders = client.all("orders", order_params)
    for what, records in (("products", products), ("orders", orders)):
        bad = next((r for r in records if not isinstance(r, dict) or not isinstance(r.get("id"), int)), None)
        if bad is not None:
            raise WooCommerceError(f"{client.base}/{what}: expected objects with an integer id, got {str(bad)[:80]}")
    if currency is None:
        seen = Counter(str(o["currency"]) for o in orders if o.get("currency"))
        currency = seen.most_common(1)[0][0] if seen else None
    summary.products = len(products)
    catalog = _table(catalog_rows(products, currency), CATALOG_SCHEMA)
    ids = {int(p["id"]): item_id(p) for p in products}
    events = _table(event_rows(orders, ids, customer_key, summary), EVENTS_SCHEMA)
    summary.events = events.num_rows
    if not products and not events.num_rows:
        raise WooCommerceError(f"{client.base}: the shop has no products and no processing or completed orders")
    out = Path(out_dir)
    if events.num_rows:
        summary.paths = write_skylt(out, events, catalog if products else None)
    else:
        # Nothing to learn from yet; the catalog alone still feeds a build with the live event log.
        import pyarrow.csv as pcsv

        out.mkdir(parents=True, exist_ok=True)
        pcsv.write_csv(catalog, out / CATALOG_FILE)
        summary.paths = [out / CATALOG_FILE]
    return summary
