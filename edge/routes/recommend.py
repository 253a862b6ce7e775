"""GET and POST /v1/recommend: the page's slots for one shopper."""

from __future__ import annotations

import time

from starlette.requests import Request
from starlette.responses import Response

from edge.codec import canonical_key, decode_body, decode_query, encode_response, query_items
from edge.experiments import CONTROL, plan_control
from edge.profiles.store import decode_profile
from edge.routes.body import read_body
from edge.slots.context import build_context
from edge.slots.planner import render, slots_for

# A known customer's answer depends on the stored profile, not only the URL: no shared cache.
PRIVATE = "private, no-cache"


def _etag_matches(header: str | None, etag: str) -> bool:
    if not header:
        return False
    return header.strip() == "*" or etag in (tag.strip().removeprefix("W/") for tag in header.split(","))


async def recommend(request: Request) -> Response:
    started = time.perf_counter()
    state = request.app.state
    is_get = request.method == "GET"
    if is_get:
        req = decode_query(query_items(request.scope["query_string"]))
    else:
        req = decode_body(await read_body(request, state.settings.max_body_bytes))
    slots = slots_for(req.page, list(req.slots) if req.slots is not None else None)
    metrics = state.metrics
    page_latency, slot_metrics = metrics.page(req.page)
    bucket = state.experiment.bucket(req.user, req.session)
    stored = None
    if req.user is not None and state.profiles is not None:
        stored = state.profiles.raw(state.profiles.key(req.user.strip()))  # one read txn; trimmed as ingest stores
    with state.holder.lease() as snap:
        key = canonical_key(snap.version, req, bucket.encode() + (stored or b""))
        etag = f'"{key}"'
        cache = state.settings.cache_control if req.user is None else PRIVATE
        headers = {"ETag": etag, "Cache-Control": cache} if is_get else {"Cache-Control": "no-store"}
        if is_get and _etag_matches(request.headers.get("if-none-match"), etag):
            metrics.not_modified.inc()
            return Response(status_code=304, headers=headers)
        ctx = build_context(snap, req, decode_profile(stored) if stored is not None else None)
        if bucket == CONTROL:
            # "shop": the page shows its own recommendations, measured against ours.
            results = [] if req.control == "shop" else plan_control(snap, ctx, slots, state.settings)
            body = encode_response(snap, key, req.page, results, ctx.ignored, bucket)
            served = [(r.slot, r.picked.ids.shape[0], r.seconds) for r in results]
        else:
            body, served = render(snap, ctx, slots, state.settings, key, bucket)
    for slot, count, spent in served:
        seconds, items = slot_metrics[slot]
        seconds.observe(spent)
        items.inc(count)
    if ctx.ignored:
        metrics.unknown_ids.inc(ctx.ignored)
    metrics.requests.labels(req.page, "200").inc()
    page_latency.observe(time.perf_counter() - started)
    return Response(body, media_type="application/json", headers=headers)
