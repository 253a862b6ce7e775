"""GET and POST /v1/recommend: the page's slots for one shopper.

``RecommendGets`` is a pure ASGI layer in front of the router that answers GET
/v1/recommend itself, computed or from the worker's response cache (edge/serve/cache.py), with two
``send`` calls: Starlette's routing, request and response objects cost about a quarter of a
computed answer. POSTs, HEADs, a mounted root path and every GET that fails go on to the
``recommend`` route, which computes the same answer (``compute``) and lets the one error
mapping in edge/serve/problems.py answer what failed. Either way the same status, headers and body
go out.
"""

from __future__ import annotations

import contextlib
import time
from typing import Any

import msgspec
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from edge.errors import StateUnavailableError
from edge.identity import verify
from edge.profiles.store import decode_profile
from edge.schemas import PAGE_SLOTS, RecommendRequest
from edge.serve.cache import Entry, entry, etag_matches, token
from edge.serve.codec import decode_body, decode_query_string, encode_response, request_key
from edge.serve.experiments import CONTROL, PERSONALIZED
from edge.serve.metrics import Metrics
from edge.serve.routes.body import read_body
from edge.slots.context import build_context
from edge.slots.planner import render_page, slots_for

PATH = "/v1/recommend"
# Where a browser sends the shopper's signed identity: a header keeps it out of URLs and CDN logs.
TOKEN_HEADER = "x-skylt-user-token"
# Set in the scope by RecommendGets when it looked the query up and missed: the route need not look again.
MISSED = "skylt.response_cache_missed"
# Set by RecommendGets when it passed a GET on (it failed, or declined it): the next time through, it passes again.
PASSED = "skylt.recommend_passed"
# A known customer's answer depends on the stored profile, not only the URL: no shared cache.
PRIVATE = (b"cache-control", b"private, no-cache")
CONTENT_TYPE = (b"content-type", b"application/json")
NO_STORE = (b"cache-control", b"no-store")
VARY_ORIGIN = (b"vary", b"Origin")
_BUCKETS = {PERSONALIZED: PERSONALIZED.encode(), CONTROL: CONTROL.encode()}  # what the key folds in per bucket

# (status, raw ASGI headers, body); the headers are the caller's to change (CORS adds its own).
Answer = tuple[int, list[tuple[bytes, bytes]], bytes]


def answer_from(found: Entry, if_none_match: str | None, metrics: Metrics, started: float) -> Answer:
    """A cache hit, counted as the computed answer would be."""
    metrics.cache_hits.inc()
    if etag_matches(if_none_match, found.etag):
        metrics.not_modified.inc()
        return 304, list(found.not_modified), b""
    requests, latency = metrics.served(found.page)
    requests.inc()
    latency.observe(time.perf_counter() - started)
    return 200, list(found.headers), found.body


def cached_answer(state: Any, query: bytes, if_none_match: str | None, started: float) -> Answer | None:
    """The response cache's answer to a GET's query string, if it holds one."""
    cache = state.response_cache
    if cache.max_bytes <= 0 or (current := state.holder.served) is None:
        return None
    found = cache.get(query, token(current))
    return None if found is None else answer_from(found, if_none_match, state.metrics, started)


def _counted(metrics: Metrics, req: RecommendRequest) -> bool:
    """Count a cache lookup that missed; True when the answer may be stored (no ``user``)."""
    if req.user is None:
        metrics.cache_misses.inc()
        return True
    metrics.cache_bypasses.inc()
    return False


def identified(state: Any, req: RecommendRequest, header_token: str | None) -> RecommendRequest:
    """The request as served: ``user`` only with a valid token (the header's, else the field's),
    else an anonymous request on its session. The token itself is dropped, so that a renewed
    token keeps the ETag."""
    if req.user is None:
        return req if req.user_token is None else msgspec.structs.replace(req, user_token=None)
    user: str | None = req.user
    if not verify(header_token or req.user_token, req.user, state.settings.identity_secrets):
        state.metrics.unverified_requests.inc()
        user = None
    return msgspec.structs.replace(req, user=user, user_token=None)


def compute(state: Any, sent: RecommendRequest, query: bytes | None, if_none_match: str | None,
            started: float, header_token: str | None = None) -> Answer:
    """The answer to a decoded request. ``query``: a GET's raw query string (None for a POST),
    the key its answer is stored under. Raises the error tree before it counts anything."""
    metrics: Metrics = state.metrics
    is_get = query is not None
    cached = is_get and state.response_cache.max_bytes > 0
    req = identified(state, sent, header_token)
    page = req.page
    slots = PAGE_SLOTS[page] if req.slots is None else slots_for(page, list(req.slots))
    bucket = state.experiment.bucket(req.user, req.session)
    stored = None
    if req.user is not None and state.profiles is not None:
        with contextlib.suppress(StateUnavailableError):  # fails open: answered as for an unknown customer
            stored = state.profiles.raw(state.profiles.key(req.user.strip()))  # one read; trimmed as ingest stores
    holder = state.holder
    served = holder.acquire()
    try:
        key = request_key(served.key_hash, req, _BUCKETS[bucket] + stored if stored else _BUCKETS[bucket])
        etag = f'"{key}"'
        if is_get:
            # A query that names a user is never shared, signed or not: its answer depends on a header.
            head = [(b"etag", etag.encode()), state.cache_control if sent.user is None else PRIVATE]
            if if_none_match and etag_matches(if_none_match, etag):
                if cached:
                    _counted(metrics, sent)
                metrics.not_modified.inc()
                return 304, head, b""
        else:
            head = [NO_STORE]
        ctx = build_context(served.snapshot, req, decode_profile(stored) if stored is not None else None)
        if bucket == CONTROL and req.control == "shop":
            # "shop": the page shows its own recommendations, measured against ours.
            body = encode_response(served.snapshot, key, page, [], ctx.ignored, bucket)
            ends: list[int] = []
            seconds = 0.0
        else:
            body, ends, seconds = render_page(served, ctx, slots, key, bucket)
    finally:
        holder.release(served)
    if ends:
        metrics.slots(page, slots).observe(seconds, ends)
    if ctx.ignored:
        metrics.unknown_ids.inc(ctx.ignored)
    requests, page_latency = metrics.served(page)
    requests.inc()
    page_latency.observe(time.perf_counter() - started)
    headers = [*head, (b"content-length", b"%d" % len(body)), CONTENT_TYPE]
    if cached and query is not None and _counted(metrics, sent):
        # Only a pure function of the query string (under the token) is stored: never one that names a user,
        # whose answer also depends on the token header.
        state.response_cache.put(query, token(served), entry(query, page, etag, body, headers, head))
        headers = list(headers)
    return 200, headers, body


class _Answered(Response):
    """An answer whose raw headers are already built: Starlette sends them as they are."""

    def __init__(self, answer: Answer) -> None:
        self.status_code, self.raw_headers, self.body = answer
        self.background = None


async def recommend(request: Request) -> Response:
    started = time.perf_counter()
    state = request.app.state
    header_token = request.headers.get(TOKEN_HEADER)
    if request.method != "GET":
        req = decode_body(await read_body(request, state.settings.max_body_bytes))
        return _Answered(compute(state, req, None, None, started, header_token))
    query: bytes = request.scope["query_string"]
    if_none_match = request.headers.get("if-none-match")
    if not request.scope.get(MISSED) and (hit := cached_answer(state, query, if_none_match, started)):
        return _Answered(hit)
    return _Answered(compute(state, decode_query_string(query), query, if_none_match, started, header_token))


def _headers(scope: Scope) -> tuple[str | None, str | None, bool]:
    """If-None-Match and the user token (the first of each, as Starlette's Headers.get reads
    them) and whether the request names an Origin."""
    if_none_match = user_token = None
    origin = False
    for name, value in scope["headers"]:
        if name == b"if-none-match" and if_none_match is None:
            if_none_match = value.decode("latin-1")
        elif name == b"x-skylt-user-token" and user_token is None:
            user_token = value.decode("latin-1")
        elif name == b"origin":
            origin = True
    return if_none_match, user_token, origin


class RecommendGets:
    """Pure ASGI, in front of the router: answers GET /v1/recommend with two ``send`` calls.
    Everything else goes on to the app unchanged (HEAD and other methods, other paths, a
    mounted root path, no snapshot yet: 503 there), and so does a GET that raised: the route
    raises it again, and the app's error handlers answer it.

    The app also asks it first, before Starlette's own layers (``answer(scope, outside=True)``):
    with CORS on, there it declines a request with an Origin, which the CORS layer answers, and
    adds the ``Vary: Origin`` that layer adds to the others. A request it declined or failed on
    passes this layer the second time."""

    def __init__(self, app: ASGIApp, state: Any, cors: bool = False) -> None:
        self.app = app
        self.state = state
        self.cors = cors

    def answer(self, scope: Scope, outside: bool = False) -> Answer | None:
        """The answer to a GET /v1/recommend (the caller checked type, method and path); None:
        the request goes on to the app."""
        if scope.get(PASSED) or scope.get("root_path") or self.state.holder.current is None:
            return None
        if_none_match, user_token, origin = _headers(scope)
        if outside and self.cors and origin:
            return None
        started = time.perf_counter()
        query = scope["query_string"]
        answer = cached_answer(self.state, query, if_none_match, started)
        if answer is None:
            scope[MISSED] = True
            try:
                answer = compute(self.state, decode_query_string(query), query, if_none_match, started,
                                 user_token)
            except Exception:
                scope[PASSED] = True
                return None
        if outside and self.cors:
            # What the CORS layer adds to an answer to a request without an Origin (ours carry no Vary).
            answer[1].append(VARY_ORIGIN)
        return answer

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (scope["type"] == "http" and scope["method"] == "GET" and scope["path"] == PATH
                and (answer := self.answer(scope)) is not None):
            await send_answer(answer, send)
        else:
            await self.app(scope, receive, send)


async def send_answer(answer: Answer, send: Send) -> None:
    status, headers, body = answer
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
