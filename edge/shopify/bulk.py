"""One stream through a bulk operation: ``bulkOperationRunQuery``, poll the operation with ``node(id:)``
until it is COMPLETED, download the JSON Lines file at its ``url`` and write the rows.

In the result file every node is a line; nested connection nodes (variants, line items) are lines of
their own whose ``__parentId`` names their product or order. The operation id is checkpointed as soon
as Shopify accepts it, so an interrupted run polls the same operation instead of starting another.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import msgspec

from edge.shopify import checkpoint, queries
from edge.shopify.checkpoint import Output, StreamState, SyncState
from edge.shopify.graphql import AdminClient, ShopifyError
from edge.shopify.streams import Stream, Summary, write_nodes

_decode = msgspec.json.Decoder(dict[str, Any]).decode
GONE = ("FAILED", "CANCELED", "CANCELING", "EXPIRED")
MAX_POLLS = 100_000


def start(client: AdminClient, query: str) -> str:
    data = client.query(queries.RUN_BULK, {"query": query})
    result = data.get("bulkOperationRunQuery") or {}
    errors = result.get("userErrors") or []
    if errors:
        raise ShopifyError("bulk operation refused: " + "; ".join(str(e.get("message")) for e in errors))
    operation = result.get("bulkOperation") or {}
    if not operation.get("id"):
        raise ShopifyError("bulk operation refused without a reason")
    return str(operation["id"])


def wait(client: AdminClient, operation_id: str, poll_seconds: float,
         sleep: Callable[[float], None]) -> dict[str, Any]:
    """The finished operation (COMPLETED, or one of GONE)."""
    for _ in range(MAX_POLLS):
        node = client.query(queries.POLL_BULK, {"id": operation_id}).get("node")
        if not isinstance(node, dict):
            raise ShopifyError(f"bulk operation {operation_id} is unknown to the shop")
        if node.get("status") == "COMPLETED" or node.get("status") in GONE:
            return node
        sleep(poll_seconds)
    raise ShopifyError(f"bulk operation {operation_id} did not finish")


def read_result(path: Path) -> list[tuple[dict[str, Any], list[dict[str, Any]]]]:
    """(node, its children) in file order."""
    roots: list[dict[str, Any]] = []
    children: dict[str, list[dict[str, Any]]] = defaultdict(list)
    with open(path, "rb") as f:
        for number, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                obj = _decode(line)
            except (msgspec.DecodeError, msgspec.ValidationError) as exc:
                raise ShopifyError(f"bulk result line {number} is not a JSON object: {exc}") from exc
            parent = obj.pop("__parentId", None)
            if parent is None:
                roots.append(obj)
            else:
                children[str(parent)].append(obj)
    return [(root, children.get(str(root.get("id")), [])) for root in roots]


def pull_bulk(client: AdminClient, stream: Stream, st: StreamState, out: Output, state: SyncState, out_dir: Path,
              summary: Summary, poll_seconds: float, sleep: Callable[[float], None]) -> None:
    for _ in range(2):  # a second try when an operation from an earlier run has expired
        if st.bulk_id is None:
            st.bulk_id = start(client, stream.bulk_query(st.since))
            checkpoint.save(out_dir, state)
        operation = wait(client, st.bulk_id, poll_seconds, sleep)
        if operation.get("status") == "COMPLETED":
            break
        if operation.get("status") == "EXPIRED":
            st.bulk_id = None
            continue
        raise ShopifyError(f"bulk operation {st.bulk_id} {str(operation.get('status')).lower()}: "
                           f"{operation.get('errorCode') or 'no reason given'}")
    else:
        raise ShopifyError("bulk operations keep expiring")
    url = operation.get("url")
    nodes: list[tuple[dict[str, Any], list[dict[str, Any]]]] = []
    if url:  # no url: the query matched nothing
        scratch = out_dir / "bulk"
        scratch.mkdir(exist_ok=True)
        path = scratch / f"{stream.name}.jsonl"
        client.download(str(url), path)
        nodes = read_result(path)
        path.unlink()
    write_nodes(stream, st, out, nodes, state.shop, summary)
    st.bulk_id, st.done = None, True
    summary.pages += 1
    checkpoint.save(out_dir, state)
