"""What ``skylt shopify sync`` pulls: the two streams (products, orders), how each becomes rows, and the
run's summary. Shared by the cursor-page pull (edge/shopify/sync.py) and the bulk pull (edge/shopify/bulk.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from edge.shopify import checkpoint, queries
from edge.shopify.checkpoint import Output, StreamState
from edge.shopify.consent import marketing_of
from edge.shopify.products import PayloadError, numeric_id
from edge.shopify.rows import catalog_row, purchase_rows

CATALOG_FILE = "catalog.jsonl"
EVENTS_FILE = "events.jsonl"


@dataclass(frozen=True)
class Stream:
    name: str
    file: str
    page_query: str
    search_field: str        # Shopify search syntax field for the incremental filter
    time_key: str            # the node's matching timestamp
    children: str            # the nested connection: variants or lineItems
    consent: bool = False    # orders: also the customer's marketing consent (edge/shopify/consent.py)

    def rows(self, node: dict[str, Any], children: list[dict[str, Any]], shop: str,
             hash_user: Callable[[str], str]) -> list[dict[str, Any]]:
        if self.name == "products":
            return [catalog_row(node, children, shop)]
        return purchase_rows(node, children, hash_user)

    def search(self, since: str | None) -> str | None:
        return f"{self.search_field}:>='{since}'" if since else None

    def bulk_query(self, since: str | None) -> str:
        search = self.search(since)
        return queries.bulk_products(search) if self.name == "products" else queries.bulk_orders(search,
                                                                                                   self.consent)


PRODUCTS = Stream("products", CATALOG_FILE, queries.PRODUCTS_PAGE, "updated_at", "updatedAt", "variants")
ORDERS = Stream("orders", EVENTS_FILE, queries.ORDERS_PAGE, "created_at", "createdAt", "lineItems")
ORDERS_CONSENT = replace(ORDERS, page_query=queries.orders_page(consent=True), consent=True)
STREAMS = (PRODUCTS, ORDERS)


@dataclass
class Summary:
    counts: dict[str, int] = field(default_factory=dict)   # nodes written per stream in this run
    rows: dict[str, int] = field(default_factory=dict)     # rows written per stream in this run
    pages: int = 0
    incremental: list[str] = field(default_factory=list)   # streams continued from a finished run
    paths: list[Path] = field(default_factory=list)
    hash_user: Callable[[str], str] | None = None        # how customer ids are stored
    # Records the orders' customers' marketing consent ({customer id: flag}) before the page is checkpointed.
    consent: Callable[[dict[str, bool]], None] | None = None
    consents: int = 0                                       # customers whose consent was recorded


def write_nodes(stream: Stream, st: StreamState, out: Output, nodes: list[tuple[dict[str, Any], list[Any]]],
                shop: str, summary: Summary) -> None:
    hash_user = summary.hash_user
    assert hash_user is not None
    fresh = [(n, c) for n, c in nodes if checkpoint.after_high_water(st, str(n.get("id")), n.get(stream.time_key))]
    if stream.consent and summary.consent is not None:
        found = consents_of(n for n, _ in fresh)
        if found:
            summary.consent(found)
            summary.consents += len(found)
    rows = [row for node, children in fresh for row in stream.rows(node, children, shop, hash_user)]
    st.size = out.write(rows)
    checkpoint.advance(st, ((str(n.get("id")), n.get(stream.time_key)) for n, _ in fresh))
    summary.counts[stream.name] = summary.counts.get(stream.name, 0) + len(fresh)
    summary.rows[stream.name] = summary.rows.get(stream.name, 0) + len(rows)


def consents_of(orders: Iterable[dict[str, Any]]) -> dict[str, bool]:
    """{customer id: flag} of the orders' customers whose consent state is known (the Admin API's current one)."""
    found: dict[str, bool] = {}
    for order in orders:
        customer = order.get("customer")
        flag = marketing_of(customer)
        if flag is None or not isinstance(customer, dict):
            continue
        try:
            found[numeric_id(customer.get("id"), "customer.id")] = flag
        except PayloadError:
            continue
    return found
