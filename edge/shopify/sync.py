"""``skylt shopify sync``: products and orders through the Admin GraphQL API into catalog.jsonl and
events.jsonl, which ``skylt build --catalog ... --events ...`` reads.

Two ways to pull a stream: cursor pages (``pageInfo { hasNextPage endCursor }``), checkpointed after every
page, or one bulk operation (edge/shopify/bulk.py) for large shops. Both resume where an interrupted run
stopped and continue incrementally after a finished one (edge/shopify/checkpoint.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from edge.profiles.salt import hash_id, load_salt
from edge.shopify import checkpoint, queries
from edge.shopify.checkpoint import Output, StreamState, SyncState
from edge.shopify.graphql import AdminClient, ShopifyError
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

    def rows(self, node: dict[str, Any], children: list[dict[str, Any]], shop: str,
             hash_user: Callable[[str], str]) -> list[dict[str, Any]]:
        if self.name == "products":
            return [catalog_row(node, children, shop)]
        return purchase_rows(node, children, hash_user)

    def search(self, since: str | None) -> str | None:
        return f"{self.search_field}:>='{since}'" if since else None

    def bulk_query(self, since: str | None) -> str:
        search = self.search(since)
        return queries.bulk_products(search) if self.name == "products" else queries.bulk_orders(search)


PRODUCTS = Stream("products", CATALOG_FILE, queries.PRODUCTS_PAGE, "updated_at", "updatedAt", "variants")
ORDERS = Stream("orders", EVENTS_FILE, queries.ORDERS_PAGE, "created_at", "createdAt", "lineItems")
STREAMS = (PRODUCTS, ORDERS)


@dataclass
class Summary:
    counts: dict[str, int] = field(default_factory=dict)   # nodes written per stream in this run
    rows: dict[str, int] = field(default_factory=dict)     # rows written per stream in this run
    pages: int = 0
    incremental: list[str] = field(default_factory=list)   # streams continued from a finished run
    paths: list[Path] = field(default_factory=list)
    hash_user: Callable[[str], str] | None = None        # how customer ids are stored


def begin(st: StreamState) -> None:
    """A finished stream starts its next run from where it ended."""
    if st.done:
        st.cursor, st.done, st.since, st.bulk_id = None, False, st.high_water, None


def write_nodes(stream: Stream, st: StreamState, out: Output, nodes: list[tuple[dict[str, Any], list[Any]]],
                shop: str, summary: Summary) -> None:
    hash_user = summary.hash_user
    assert hash_user is not None
    fresh = [(n, c) for n, c in nodes if checkpoint.after_high_water(st, str(n.get("id")), n.get(stream.time_key))]
    rows = [row for node, children in fresh for row in stream.rows(node, children, shop, hash_user)]
    st.size = out.write(rows)
    checkpoint.advance(st, ((str(n.get("id")), n.get(stream.time_key)) for n, _ in fresh))
    summary.counts[stream.name] = summary.counts.get(stream.name, 0) + len(fresh)
    summary.rows[stream.name] = summary.rows.get(stream.name, 0) + len(rows)


def pull_pages(client: AdminClient, stream: Stream, st: StreamState, out: Output, state: SyncState, out_dir: Path,
               page_size: int, summary: Summary) -> None:
    while True:
        data = client.query(stream.page_query, {"first": page_size, "after": st.cursor,
                                                "query": stream.search(st.since)})
        connection = data.get(stream.name)
        if not isinstance(connection, dict) or not isinstance(connection.get("pageInfo"), dict):
            raise ShopifyError(f"the {stream.name} answer has no pageInfo")
        nodes = [(n, list((n.get(stream.children) or {}).get("nodes") or [])) for n in connection.get("nodes") or []]
        write_nodes(stream, st, out, nodes, state.shop, summary)
        page = connection["pageInfo"]
        st.cursor = page.get("endCursor") or st.cursor
        st.done = not page.get("hasNextPage")
        summary.pages += 1
        checkpoint.save(out_dir, state)  # the page is durable: a rerun asks for the next one
        if st.done:
            return


def sync(client: AdminClient, shop: str, out_dir: str | Path, *, bulk: bool = False, full: bool = False,
         page_size: int = 25, orders: bool = True, orders_since: str | None = None, poll_seconds: float = 2.0,
         sleep: Callable[[float], None] | None = None, profile_dir: str | Path | None = None) -> Summary:
    """``profile_dir``: the server's profile directory, whose salt hashes customer ids as the server does
    (the synced history and the live events then name a customer alike); default: a salt kept in ``out_dir``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    state = checkpoint.load(out, shop)
    salt = load_salt(profile_dir if profile_dir is not None else out)
    summary = Summary(hash_user=partial(hash_id, salt))
    for stream in STREAMS if orders else (PRODUCTS,):
        if full:  # only the streams synced now start over: --no-orders --full keeps the order history
            state.streams[stream.name] = StreamState()
            (out / stream.file).unlink(missing_ok=True)
        st = state.stream(stream.name)
        if st.done:
            summary.incremental.append(stream.name)
        begin(st)
        if stream is ORDERS and st.since is None and st.high_water is None and orders_since:
            st.since = orders_since
        output = Output(out / stream.file, st.size)
        try:
            if bulk or st.bulk_id:  # an interrupted bulk run is finished in bulk
                from edge.shopify.bulk import pull_bulk

                pull_bulk(client, stream, st, output, state, out, summary, poll_seconds, sleep or client.sleep)
            else:
                pull_pages(client, stream, st, output, state, out, page_size, summary)
        finally:
            output.close()
        summary.paths.append(out / stream.file)
    return summary
