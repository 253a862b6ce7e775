"""A stand-in for a shop's Admin GraphQL API on 127.0.0.1, answering in Shopify's documented shapes:
connections with ``pageInfo { hasNextPage endCursor }`` and ``nodes``, a THROTTLED error with
``extensions.cost.throttleStatus``, HTTP 429 with ``Retry-After``, and bulk operations whose result is a
JSON Lines file with ``__parentId`` on nested nodes."""

from __future__ import annotations

import base64
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from edge.shopify.graphql import API_VERSION

TOKEN = "shpat_test_token"
PATH = f"/admin/api/{API_VERSION}/graphql.json"


def gid(kind: str, n: int) -> str:
    return f"gid://shopify/{kind}/{n}"


def make_product(n: int, updated: str = "2026-11-01T10:00:00Z", quantity: int = 3,
                 status: str = "ACTIVE") -> dict[str, Any]:
    return {
        "id": gid("Product", 7_000_000_000 + n), "handle": f"product-{n}", "title": f"Product {n}", "status": status,
        "vendor": "Acme", "productType": "Kitchen", "onlineStoreUrl": f"https://shop.example/products/product-{n}",
        "createdAt": "2026-01-01T00:00:00Z", "updatedAt": updated, "totalInventory": quantity,
        "tracksInventory": True, "featuredMedia": {"preview": {"image": {"url": f"https://cdn.example/{n}.jpg"}}},
        "priceRangeV2": {"minVariantPrice": {"amount": f"{10 + n}.50", "currencyCode": "SEK"}},
        "variants": {"nodes": [{"id": gid("ProductVariant", 100 + n), "inventoryPolicy": "DENY",
                                "inventoryQuantity": quantity,
                                "inventoryItem": {"id": gid("InventoryItem", 900 + n), "tracked": True}}]},
    }


def make_order(n: int, products: list[int], created: str | None = None, customer: int | None = 555,
               cancelled: bool = False) -> dict[str, Any]:
    return {
        "id": gid("Order", 450_000_000 + n), "createdAt": created or f"2026-11-0{1 + n % 9}T12:00:00Z",
        "updatedAt": "2026-11-10T00:00:00Z", "cancelledAt": "2026-11-11T00:00:00Z" if cancelled else None,
        "test": False, "customer": {"id": gid("Customer", customer)} if customer else None,
        "shippingAddress": {"countryCodeV2": "SE"}, "billingAddress": None,
        "lineItems": {"nodes": [{"id": gid("LineItem", n * 10 + i), "quantity": 1 + i,
                                 "product": {"id": gid("Product", 7_000_000_000 + p)},
                                 "originalUnitPriceSet": {"shopMoney": {"amount": "19.90", "currencyCode": "SEK"}}}
                                for i, p in enumerate(products)]},
    }


def _cursor(i: int) -> str:
    return base64.b64encode(json.dumps({"last_id": i}).encode()).decode()


def _index(cursor: str | None) -> int:
    return 0 if cursor is None else int(json.loads(base64.b64decode(cursor))["last_id"]) + 1


class FakeShop:
    def __init__(self, products: list[dict[str, Any]], orders: list[dict[str, Any]]) -> None:
        self.products = products
        self.orders = orders
        self.requests: list[dict[str, Any]] = []
        self.throttle: int = 0        # answer THROTTLED this many times
        self.too_many: int = 0        # answer HTTP 429 this many times
        self.server_errors: int = 0   # answer HTTP 502 this many times
        self.fail_at_page: int | None = None   # answer HTTP 401 to the nth page request (1-based)
        self.bulk_polls_running = 1   # polls answered RUNNING before COMPLETED
        self.bulk_ops: dict[str, dict[str, Any]] = {}
        self.tokens = {TOKEN}         # access tokens accepted by the Admin API
        self._pages = 0
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeShop:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def page_requests(self, name: str) -> list[dict[str, Any]]:
        return [r["variables"] for r in self.requests if f"query Skylt{name}(" in r["query"]]

    # -- answers ------------------------------------------------------------------------------

    def _connection(self, nodes: list[dict[str, Any]], variables: dict[str, Any], key: str) -> dict[str, Any]:
        search = variables.get("query")
        if search:  # the one filter the sync sends: <field>:>='<time>'
            match = re.fullmatch(r"(\w+):>='([^']+)'", search)
            assert match, search
            field = {"updated_at": "updatedAt", "created_at": "createdAt"}[match.group(1)]
            nodes = [n for n in nodes if n[field] >= match.group(2)]
        nodes = sorted(nodes, key=lambda n: n["updatedAt" if key == "products" else "createdAt"])
        start = _index(variables.get("after"))
        page = nodes[start:start + int(variables["first"])]
        end = start + len(page) - 1
        return {key: {"pageInfo": {"hasNextPage": end + 1 < len(nodes), "endCursor": _cursor(end) if page else None},
                      "nodes": page}}

    def _bulk_lines(self, query: str) -> str:
        key = "products" if "products" in query.split("{")[1] else "orders"
        child = "variants" if key == "products" else "lineItems"
        lines = []
        for node in (self.products if key == "products" else self.orders):
            lines.append({k: v for k, v in node.items() if k != child})
            lines.extend({**c, "__parentId": node["id"]} for c in node[child]["nodes"])
        return "".join(json.dumps(line) + "\n" for line in lines)

    def answer(self, body: dict[str, Any]) -> tuple[int, dict[str, str], Any]:
        query, variables = body["query"], body.get("variables") or {}
        with self._lock:
            self.requests.append({"query": query, "variables": variables})
            if self.server_errors:
                self.server_errors -= 1
                return 502, {}, {"errors": "Bad Gateway"}
            if self.too_many:
                self.too_many -= 1
                return 429, {"Retry-After": "2.0"}, {"errors": "Exceeded 2 calls per second for api client."}
            if self.throttle:
                self.throttle -= 1
                return 200, {}, {"errors": [{"message": "Throttled", "extensions": {
                    "code": "THROTTLED", "documentation": "https://shopify.dev/api/usage/rate-limits"}}],
                    "extensions": {"cost": {"requestedQueryCost": 752, "actualQueryCost": None, "throttleStatus": {
                        "maximumAvailable": 2000.0, "currentlyAvailable": 552, "restoreRate": 100.0}}}}
            if "query SkyltProducts(" in query or "query SkyltOrders(" in query:
                self._pages += 1
                if self.fail_at_page == self._pages:
                    return 401, {}, {"errors": "[API] Invalid API key or access token"}
            cost = {"cost": {"requestedQueryCost": 52, "actualQueryCost": 12, "throttleStatus": {
                "maximumAvailable": 2000.0, "currentlyAvailable": 1988, "restoreRate": 100.0}}}
            if "query SkyltProducts(" in query:
                return 200, {}, {"data": self._connection(self.products, variables, "products"), "extensions": cost}
            if "query SkyltOrders(" in query:
                return 200, {}, {"data": self._connection(self.orders, variables, "orders"), "extensions": cost}
            if "bulkOperationRunQuery" in query:
                op_id = gid("BulkOperation", 1 + len(self.bulk_ops))
                self.bulk_ops[op_id] = {"query": variables["query"], "polls": 0}
                return 200, {}, {"data": {"bulkOperationRunQuery": {
                    "bulkOperation": {"id": op_id, "status": "CREATED"}, "userErrors": []}}, "extensions": cost}
            if "query SkyltBulkStatus(" in query:
                op = self.bulk_ops[variables["id"]]
                op["polls"] += 1
                done = op["polls"] > self.bulk_polls_running
                node = {"id": variables["id"], "status": "COMPLETED" if done else "RUNNING", "errorCode": None,
                        "objectCount": "0", "url": f"{self.url}/bulk/{variables['id'].rsplit('/', 1)[1]}.jsonl"
                        if done else None, "partialDataUrl": None}
                return 200, {}, {"data": {"node": node}, "extensions": cost}
        extra = self.other_query(query, variables)
        if extra is not None:
            return 200, {}, {"data": extra}
        return 200, {}, {"errors": [{"message": f"unexpected query {query[:60]}"}]}

    def other_query(self, query: str, variables: dict[str, Any]) -> dict[str, Any] | None:
        """The data of a query this fake does not know, or None (subclasses answer some)."""
        return None

    def other_post(self, path: str, raw: bytes) -> tuple[int, Any] | None:
        """A POST that is not an Admin GraphQL query: (status, JSON body), or None (subclasses answer some)."""
        return None

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        shop = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _send(self, status: int, headers: dict[str, str], body: bytes, kind: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                for k, v in headers.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:  # the bulk result file (a signed URL: no token)
                op_id = gid("BulkOperation", int(self.path.rsplit("/", 1)[1].split(".")[0]))
                body = shop._bulk_lines(shop.bulk_ops[op_id]["query"]).encode()
                self._send(200, {}, body, "application/jsonl")

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers["Content-Length"]))
                other = shop.other_post(self.path, raw)
                if other is not None:
                    self._send(other[0], {}, json.dumps(other[1]).encode(), "application/json")
                    return
                if self.path != PATH or self.headers.get("X-Shopify-Access-Token") not in shop.tokens:
                    self._send(401, {}, b'{"errors":"[API] Invalid API key or access token"}', "application/json")
                    return
                status, headers, body = shop.answer(json.loads(raw))
                self._send(status, headers, json.dumps(body).encode(), "application/json")

        return Handler
