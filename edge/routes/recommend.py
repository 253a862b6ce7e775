"""GET and POST /v1/recommend: the page's slots for one shopper.

Anonymous GET answers are kept in the worker's response cache (edge/cache.py) by raw query
string. ``CachedAnswers`` serves hits before Starlette's routing, request and response
objects; the route serves them too when a request reaches it some other way (a mounted root
path). Either way a hit sends the same status, headers and body the computed answer had.
"""

from __future__ import annotations

import time

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from edge.cache import Entry, ResponseCache, entry, etag_matches, token
from edge.codec import canonical_key, decode_body, decode_query, encode_response, query_items
from edge.experiments import CONTROL, plan_control
from edge.metrics import Metrics
from edge.profiles.store import decode_profile
from edge.routes.body import read_body
from edge.schemas import RecommendRequest
from edge.slots.context import build_context
from edge.slots.planner import render, slots_for
from edge.swap import SnapshotHolder

PATH = "/v1/recommend"
# Set in the scope by CachedAnswers when it looked the query up and missed: the route need not look again.
MISSED = "skylt.response_cache_missed"
# A known customer's answer depends on the stored profile, not only the URL: no shared cache.
PRIVATE = "private, no-cache"


def answer_from(found: Entry, if_none_match: str | None, metrics: Metrics,
                started: float) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    """Status, headers and body of a cache hit, counted as the computed answer would be."""
    metrics.cache_hits.inc()
    if etag_matches(if_none_match, found.etag):
        metrics.not_modified.inc()
        return 304, found.not_modified, b""
    requests, latency = metrics.served(found.page)
    requests.inc()
    latency.observe(time.perf_counter() - started)
    return 200, found.headers, found.body


def _counted(metrics: Metrics, req: RecommendRequest) -> bool:
    """Count a cache lookup that missed; True when the answer may be stored (no ``user``)."""
    if req.user is None:
        metrics.cache_misses.inc()
        return True
    metrics.cache_bypasses.inc()
    return False


async def recommend(request: Request) -> Response:
    started = time.perf_counter()
    state = request.app.state
    metrics: Metrics = state.metrics
    is_get = request.method == "GET"
    response_cache: ResponseCache = state.response_cache
    cached = is_get and response_cache.max_bytes > 0
    query: bytes = request.scope["query_string"] if is_get else b""
    if cached and not request.scope.get(MISSED) and (current := state.holder.current) is not None:
        found = response_cache.get(query, token(current))
        if found is not None:
            status, raw, content = answer_from(found, request.headers.get("if-none-match"), metrics, started)
            response = Response(content, status_code=status)
            response.raw_headers = list(raw)
            return response
    if is_get:
        req = decode_query(query_items(query))
    else:
        req = decode_body(await read_body(request, state.settings.max_body_bytes))
    slots = slots_for(req.page, list(req.slots) if req.slots is not None else None)
    page_latency, slot_metrics = metrics.page(req.page)
    bucket = state.experiment.bucket(req.user, req.session)
    stored = None
    if req.user is not None and state.profiles is not None:
        stored = state.profiles.raw(state.profiles.key(req.user.strip()))  # one read txn; trimmed as ingest stores
    with state.holder.lease() as snap:
        tok = token(snap)
        key = canonical_key(snap.version, req, bucket.encode() + (stored or b""))
        etag = f'"{key}"'
        cache_control = state.settings.cache_control if req.user is None else PRIVATE
        headers = {"ETag": etag, "Cache-Control": cache_control} if is_get else {"Cache-Control": "no-store"}
        if is_get and etag_matches(request.headers.get("if-none-match"), etag):
            if cached:
                _counted(metrics, req)
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
    requests, _ = metrics.served(req.page)
    requests.inc()
    page_latency.observe(time.perf_counter() - started)
    response = Response(body, media_type="application/json", headers=headers)
    if cached and _counted(metrics, req):
        # Only a pure function of the query string (under ``tok``) is stored: never a known customer's.
        not_modified = Response(status_code=304, headers=headers).raw_headers
        response_cache.put(query, tok, entry(query, req.page, etag, body, list(response.raw_headers), not_modified))
    return response


class CachedAnswers:
    """Pure ASGI, in front of the router: answers a GET /v1/recommend the response cache holds
    with two ``send`` calls. Everything else, and every miss, goes on to the app unchanged
    (HEAD and other methods, other paths, a mounted root path, no snapshot yet: 503 there)."""

    def __init__(self, app: ASGIApp, cache: ResponseCache, holder: SnapshotHolder, metrics: Metrics) -> None:
        self.app = app
        self.cache = cache
        self.holder = holder
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        snap = self.holder.current
        if (scope["type"] != "http" or scope["method"] != "GET" or scope["path"] != PATH
                or scope.get("root_path") or snap is None):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        found = self.cache.get(scope["query_string"], token(snap))
        if found is None:
            scope[MISSED] = True
            await self.app(scope, receive, send)
            return
        if_none_match = None
        for name, value in scope["headers"]:
            if name == b"if-none-match":  # the first one, as Starlette's Headers.get reads it
                if_none_match = value.decode("latin-1")
                break
        status, headers, body = answer_from(found, if_none_match, self.metrics, started)
        await send({"type": "http.response.start", "status": status, "headers": list(headers)})
        await send({"type": "http.response.body", "body": body})
