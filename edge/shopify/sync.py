"""``skylt shopify sync``: products and orders through the Admin GraphQL API into catalog.jsonl and
events.jsonl, which ``skylt build --catalog ... --events ...`` reads.

Two ways to pull a stream: cursor pages (``pageInfo { hasNextPage endCursor }``), checkpointed after every
page, or one bulk operation (edge/shopify/bulk.py) for large shops. Both resume where an interrupted run
stopped and continue incrementally after a finished one (edge/shopify/checkpoint.py).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path

from edge.profiles.salt import hash_id, load_salt
from edge.shopify import checkpoint
from edge.shopify.bulk import pull_bulk
from edge.shopify.checkpoint import Output, StreamState, SyncState
from edge.shopify.graphql import AdminClient, ShopifyError
from edge.shopify.streams import ORDERS_CONSENT, PRODUCTS, STREAMS, Stream, Summary, write_nodes


def begin(st: StreamState) -> None:
    """A finished stream starts its next run from where it ended."""
    if st.done:
        st.cursor, st.done, st.since, st.bulk_id = None, False, st.high_water, None


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
         sleep: Callable[[float], None] | None = None, profile_dir: str | Path | None = None,
         consent: Callable[[dict[str, bool]], None] | None = None) -> Summary:
    """``profile_dir``: the server's profile directory, whose salt hashes customer ids as the server does
    (the synced history and the live events then name a customer alike); default: a salt kept in ``out_dir``.
    ``consent``: records the orders' customers' marketing consent (``{customer id: flag}``, page by page)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    state = checkpoint.load(out, shop)
    salt = load_salt(profile_dir if profile_dir is not None else out)
    summary = Summary(hash_user=partial(hash_id, salt), consent=consent)
    for stream in STREAMS if orders else (PRODUCTS,):
        if stream.name == ORDERS_CONSENT.name and consent is not None:
            stream = ORDERS_CONSENT
        if full:  # only the streams synced now start over: --no-orders --full keeps the order history
            state.streams[stream.name] = StreamState()
            (out / stream.file).unlink(missing_ok=True)
        st = state.stream(stream.name)
        if st.done:
            summary.incremental.append(stream.name)
        begin(st)
        if stream.name == ORDERS_CONSENT.name and st.since is None and st.high_water is None and orders_since:
            st.since = orders_since
        output = Output(out / stream.file, st.size)
        try:
            if bulk or st.bulk_id:  # an interrupted bulk run is finished in bulk

                pull_bulk(client, stream, st, output, state, out, summary, poll_seconds, sleep or client.sleep)
            else:
                pull_pages(client, stream, st, output, state, out, page_size, summary)
        finally:
            output.close()
        summary.paths.append(out / stream.file)
    return summary
