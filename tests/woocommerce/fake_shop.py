"""A WooCommerce REST API v3 stand-in on 127.0.0.1: products and orders in WooCommerce's documented shapes,
``page``/``per_page`` pagination with ``X-WP-Total``/``X-WP-TotalPages``, Basic or query-string consumer keys, and
scripted failures (a status to answer before the real page) to exercise retries."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

KEY, SECRET = "ck_0123456789abcdef", "cs_fedcba9876543210"
UNAUTHORIZED = {"code": "woocommerce_rest_cannot_view", "message": "Sorry, you cannot list resources.",
                "data": {"status": 401}}


def product(pid: int, name: str, *, sku: str = "", price: str = "10.00", stock_status: str = "instock",
            status: str = "publish", kind: str = "simple", category: str = "Mugs", reviews: int = 0,
            rating: str = "0.00", stock_quantity: int | None = None) -> dict[str, Any]:
    return {
        "id": pid, "name": name, "slug": name.lower().replace(" ", "-"),
        "permalink": f"https://shop.example/product/{name.lower().replace(' ', '-')}/",
        "date_created": "2024-01-05T10:00:00", "date_created_gmt": "2024-01-05T09:00:00",
        "type": kind, "status": status, "featured": False, "catalog_visibility": "visible",
        "description": "<p>A fine thing.</p>\n", "short_description": "", "sku": sku,
        "price": price, "regular_price": price, "sale_price": "", "on_sale": False, "purchasable": True,
        "manage_stock": stock_quantity is not None, "stock_quantity": stock_quantity, "stock_status": stock_status,
        "average_rating": rating, "rating_count": reviews,
        "categories": [{"id": 9, "name": category, "slug": category.lower()}],
        "tags": [], "images": [{"id": pid * 10, "src": f"https://shop.example/wp-content/uploads/{pid}.jpg",
                                "name": name, "alt": ""}],
        "attributes": [], "variations": [pid * 100 + 1, pid * 100 + 2] if kind == "variable" else [],
    }


def line(pid: int, name: str, quantity: int, price: float, *, sku: str = "", variation: int = 0) -> dict[str, Any]:
    return {"id": pid * 7 + variation, "name": name, "product_id": pid, "variation_id": variation,
            "quantity": quantity, "tax_class": "", "subtotal": f"{price * quantity:.2f}",
            "total": f"{price * quantity:.2f}", "total_tax": "0.00", "taxes": [], "meta_data": [],
            "sku": sku, "price": price}


def order(oid: int, status: str, lines: list[dict[str, Any]], *, customer: int = 0, email: str = "",
          created: str = "2024-03-01T10:00:00", paid: str | None = "2024-03-01T10:05:00",
          country: str = "SE", currency: str = "SEK") -> dict[str, Any]:
    return {
        "id": oid, "parent_id": 0, "number": str(oid), "order_key": f"wc_order_{oid}", "created_via": "checkout",
        "status": status, "currency": currency, "date_created": created, "date_created_gmt": created,
        "date_paid": paid, "date_paid_gmt": paid, "customer_id": customer,
        "billing": {"first_name": "Ada", "last_name": "Example", "email": email, "country": country},
        "shipping": {"country": country}, "payment_method": "bacs", "line_items": lines,
        "total": f"{sum(float(li['total']) for li in lines):.2f}",
    }


@dataclass
class Shop:
    products: list[dict[str, Any]]
    orders: list[dict[str, Any]]
    # (resource, page) -> statuses to answer, one per request, before the real page
    failures: dict[tuple[str, int], list[int]] = field(default_factory=dict)
    requests: list[tuple[str, dict[str, list[str]], str | None]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _authorized(query: dict[str, list[str]], header: str | None) -> bool:
    if query.get("consumer_key") == [KEY] and query.get("consumer_secret") == [SECRET]:
        return True
    expected = "Basic " + base64.b64encode(f"{KEY}:{SECRET}".encode()).decode()
    return header == expected


def _handler(shop: Shop) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_args: Any) -> None:
            pass

        def _json(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=UTF-8")
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            query = parse_qs(parts.query)
            auth = self.headers.get("Authorization")
            with shop.lock:
                shop.requests.append((parts.path, query, auth))
            resource = parts.path.removeprefix("/wp-json/wc/v3/")
            if resource not in ("products", "orders") or not parts.path.startswith("/wp-json/wc/v3/"):
                self._json(404, {"code": "rest_no_route", "message": "No route was found.", "data": {"status": 404}})
                return
            if not _authorized(query, auth):
                self._json(401, UNAUTHORIZED)
                return
            page = int(query.get("page", ["1"])[0])
            per_page = int(query.get("per_page", ["10"])[0])
            with shop.lock:
                pending = shop.failures.get((resource, page))
                status = pending.pop(0) if pending else None
            if status is not None:
                self._json(status, {"code": "busy", "message": "Try again."}, {"Retry-After": "2"} if status == 429
                           else None)
                return
            records = shop.products if resource == "products" else shop.orders
            if resource == "orders" and "status" in query:
                wanted = set(query["status"][0].split(","))
                records = [o for o in records if o["status"] in wanted]
            pages = max(1, -(-len(records) // per_page))
            self._json(200, records[(page - 1) * per_page: page * per_page],
                       {"X-WP-Total": str(len(records)), "X-WP-TotalPages": str(pages)})

    return Handler


@contextmanager
def serve(shop: Shop) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(shop))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def sample_shop() -> Shop:
    """230 products (three pages) and orders in which cups and saucers sell together."""
    products = [
        product(1, "Espresso Cup", sku="CUP-1", price="19.90", reviews=12, rating="4.50", stock_quantity=40),
        product(2, "Milk Jug", price="9.50", stock_status="outofstock", stock_quantity=0),
        product(3, "Coffee Grinder", sku="GRIND", price="89.00", kind="variable", stock_status="onbackorder",
                category="Grinders"),
        product(4, "Secret Draft", sku="DRAFT", status="draft"),
        product(5, "Tea &amp; Honey <b>Set</b>", sku="TEA-SET", price="24.00", category="Tea"),
        product(6, "Saucer", sku="SAUCER", price="7.00"),
    ] + [product(i, f"Filler {i}", sku=f"F-{i}") for i in range(7, 231)]
    orders = []
    for n in range(12):
        lines = [line(1, "Espresso Cup", 2, 19.9, sku="CUP-1"), line(6, "Saucer", 2, 7.0, sku="SAUCER")]
        if n % 3 == 0:
            lines.append(line(3, "Coffee Grinder - Black", 1, 89.0, sku="GRIND-BLACK", variation=301))
        orders.append(order(1000 + n, "completed" if n % 2 else "processing", lines, customer=7 if n < 6 else 0,
                            email=f"guest{n}@example.com", created=f"2024-03-{n + 1:02d}T10:00:00",
                            paid=f"2024-03-{n + 1:02d}T10:05:00"))
    orders += [
        order(2001, "pending", [line(5, "Tea & Honey Set", 1, 24.0, sku="TEA-SET")], customer=8),
        order(2002, "cancelled", [line(5, "Tea & Honey Set", 1, 24.0, sku="TEA-SET")], customer=8),
        order(2003, "completed", [line(2, "Milk Jug", 1, 9.5), line(0, "Retired mug", 1, 5.0),
                                  line(999, "Deleted kettle", 1, 30.0)],
              email="Ada@Example.com", paid=None, created="2024-04-01T08:00:00"),
    ]
    return Shop(products, orders)
