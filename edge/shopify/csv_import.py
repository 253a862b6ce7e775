"""``skylt shopify import``: Shopify's product and order CSV exports -> catalog.csv and events.csv.gz.

Products come from Admin > Products > Export, orders from Admin > Orders > Export (CSV for Excel, Numbers or other
spreadsheet programs, or plain CSV). See csv_products.py and csv_orders.py for how rows become items and events.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from edge.build.frames import CATALOG_SCHEMA
from edge.build.importers import CATALOG_FILE, write_skylt
from edge.build.readers import read_catalog
from edge.shopify.csv_orders import Orders, read_orders
from edge.shopify.csv_products import Products, read_products
from edge.urls import served_url

_PRODUCT_URL = re.compile(r"/products/([^/?#]+)")


@dataclass
class ImportSummary:
    items: int = 0
    for_sale: int = 0
    orders: int = 0
    events: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    paths: list[Path] = field(default_factory=list)


def catalog_table(products: Products, *, shop_url: str | None, currency: str | None) -> pa.Table:
    base = shop_url.rstrip("/") if shop_url else None
    rows = [{
        "item_id": p.handle, "title": p.title, "url": served_url(f"{base}/products/{p.handle}") if base else None,
        "image": served_url(p.image), "price": p.price, "currency": currency, "category": p.category, "brand": p.vendor,
        "in_stock": p.for_sale,
    } for p in products.items.values()]
    return pa.Table.from_pylist(rows, schema=CATALOG_SCHEMA)


def ids_from(catalog_path: str | Path) -> dict[str, str]:
    """handle -> item id, from a Skylt catalog whose URLs are product pages (``.../products/<handle>``), such as
    one keyed by Shopify's numeric product ids. The CSV exports carry no product ids; this lets imported history
    use the same ids as live events."""
    catalog = read_catalog(catalog_path)
    ids: dict[str, str] = {}
    for item, url in zip(catalog["item_id"].to_pylist(), catalog["url"].to_pylist(), strict=True):
        match = _PRODUCT_URL.search(url or "")
        if match:
            ids.setdefault(match.group(1), item)
    return ids


def _renamed(table: pa.Table, ids: dict[str, str]) -> pa.Table:
    column = pa.array([ids.get(v, v) for v in table["item_id"].to_pylist()], pa.string())
    return table.set_column(table.schema.get_field_index("item_id"), "item_id", column)


def import_csv(products_path: str | Path, orders_path: str | Path | None, out_dir: str | Path, *,
               shop_url: str | None = None, currency: str | None = None, customer_key: str = "",
               ids_catalog: str | Path | None = None) -> ImportSummary:
    """Read the exports and write ``catalog.csv`` (and ``events.csv.gz`` when there are orders) into ``out_dir``.

    The catalog currency is ``currency``, else the most frequent currency of the orders (the product export has
    none). With ``ids_catalog`` (see ``ids_from``) products found there take its item ids instead of their
    handles. Nothing is written when a file is bad.
    """
    ids = ids_from(ids_catalog) if ids_catalog is not None else {}
    products = read_products(products_path)
    orders: Orders | None = None
    if orders_path is not None:
        orders = read_orders(orders_path, products, customer_key=customer_key)
    if currency is None and orders is not None and orders.currencies:
        currency = orders.currencies.most_common(1)[0][0]
    catalog = _renamed(catalog_table(products, shop_url=shop_url, currency=currency), ids)
    if orders is not None:
        orders.events = _renamed(orders.events, ids)
    summary = ImportSummary(items=catalog.num_rows, for_sale=sum(p.for_sale for p in products.items.values()))
    out = Path(out_dir)
    if orders is not None and orders.events.num_rows:
        summary.paths = write_skylt(out, orders.events, catalog)
    else:
        import pyarrow.csv as pcsv

        out.mkdir(parents=True, exist_ok=True)
        pcsv.write_csv(catalog, out / CATALOG_FILE)
        summary.paths = [out / CATALOG_FILE]
    if orders is not None:
        summary.orders, summary.events = orders.orders, orders.events.num_rows
        summary.skipped.update({f"orders: {k}": v for k, v in orders.skipped_orders.items()})
        summary.skipped.update({f"order lines: {k}": v for k, v in orders.skipped_lines.items()})
    return summary
