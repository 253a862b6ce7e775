"""The in-process request path per page on the 1M-item synthetic snapshot (budget: 60 us).

``test_page`` times decode + context + the compiled plan-and-splice + the response as the
endpoint runs them; the other benchmarks time each stage alone, so the split can be read
off one run, the Python reference path of every page as a yardstick, and the whole ASGI app
(computed and cached) against a trivial Starlette route returning a constant JSON body, beside
the page kernel alone over 3,000 different product pages (the floor under a computed page).
"""

from __future__ import annotations

import asyncio
import itertools
from typing import Any
from urllib.parse import urlencode

import numba
import numpy as np
import pytest
from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route

from benchmarks.conftest import decoded
from edge.config import Settings
from edge.schemas import PAGE_SLOTS
from edge.scoring.splice import page_items
from edge.serve.codec import decode_query_string, encode_response
from edge.serve.warm import warm
from edge.slots.compiled import kernel_args, page_rules_tuple, plan_encoded, plan_picks, request_of
from edge.slots.context import build_context
from edge.slots.planner import layout, render
from edge.slots.served import Served, serve
from edge.store import open_snapshot
from tests.slots.oracle.planner import plan_reference

SETTINGS = Settings()


@pytest.fixture(scope="module")
def served(synthetic_tables: Any) -> Any:
    s = open_snapshot(synthetic_tables)
    unit = serve(s, SETTINGS)
    warm(unit)
    yield unit
    del unit
    s.close()


@pytest.fixture(scope="module")
def snap(served: Served) -> Any:
    return served.snapshot


@pytest.fixture(scope="module")
def queries(snap: Any) -> dict[str, list[tuple[str, str]]]:
    rng = np.random.default_rng(1)
    ids = [snap.external_id(int(i)) for i in rng.integers(0, snap.n_items, 30)]
    history = ",".join(ids[:20])
    return {
        "home": [("page", "home"), ("history", history)],
        "product": [("page", "product"), ("item", ids[20]), ("history", history)],
        "cart": [("page", "cart"), ("cart", ",".join(ids[21:24])), ("history", history)],
        "checkout": [("page", "checkout"), ("cart", ",".join(ids[21:24])), ("free_shipping_gap", "10")],
    }


def handle(served: Served, query: list[tuple[str, str]]) -> bytes:
    """What the endpoint does for a GET, less HTTP: decode, context, plan + splice."""
    req = decoded(query)
    ctx = build_context(served.snapshot, req)
    return render(served, ctx, PAGE_SLOTS[req.page], "bench")[0]


@pytest.mark.parametrize("page", list(PAGE_SLOTS))
def test_page(benchmark: Any, served: Served, queries: Any, page: str) -> None:
    benchmark.group = "request path"
    body = benchmark(handle, served, queries[page])
    assert body.count(b'"id"') >= len(PAGE_SLOTS[page])


def test_stage_decode(benchmark: Any, queries: Any) -> None:
    benchmark.group = "product page stages"
    benchmark(decode_query_string, urlencode(queries["product"], safe=",").encode("ascii"))


def test_stage_context(benchmark: Any, snap: Any, queries: Any) -> None:
    benchmark.group = "product page stages"
    req = decoded(queries["product"])
    benchmark(build_context, snap, req)


def test_stage_context_cold_ids(benchmark: Any, snap: Any, queries: Any) -> None:
    """The product page's context when none of its 21 ids is in the worker's id cache (a shopper's
    first request to this worker): every id through the snapshot's id table."""
    benchmark.group = "product page stages"
    req = decoded(queries["product"])
    build_context(snap, req)  # the id table is built by the first lookup of enough cold ids

    def forget() -> None:
        snap._id_cache.clear()

    benchmark.pedantic(build_context, (snap, req), setup=forget, rounds=2000, warmup_rounds=50)


def test_stage_plan(benchmark: Any, served: Served, snap: Any, queries: Any) -> None:
    """The page kernel alone: every slot's ids, scores and reason codes."""
    benchmark.group = "product page stages"
    ctx = build_context(snap, decoded(queries["product"]))
    benchmark(plan_picks, served, ctx, PAGE_SLOTS["product"])


def test_stage_plan_and_splice(benchmark: Any, served: Served, snap: Any, queries: Any) -> None:
    """The page kernel and the splice kernel: the slots' items as JSON bytes."""
    benchmark.group = "product page stages"
    ctx = build_context(snap, decoded(queries["product"]))
    benchmark(plan_encoded, served, ctx, PAGE_SLOTS["product"])


def test_stage_dispatch(benchmark: Any, served: Served, snap: Any, queries: Any) -> None:
    """What numba's dispatcher alone costs the page's one call: a compiled no-op taking the same
    arguments (type checks and unboxing: the served bundles' structref and the request's tuple)."""
    benchmark.group = "product page stages"
    args = kernel_args(served, build_context(snap, decoded(queries["product"])), PAGE_SLOTS["product"])
    params = ", ".join(f"a{i}" for i in range(len(args)))
    scope: dict[str, Any] = {}
    exec(f"def noop({params}):\n    return 0\n", scope)  # the arity of page_items, whatever it becomes
    noop = numba.njit(scope["noop"])
    assert benchmark(noop, *args) == 0


def test_stage_render(benchmark: Any, served: Served, snap: Any, queries: Any) -> None:
    """Plan, splice and the response around the items: everything after the context."""
    benchmark.group = "product page stages"
    ctx = build_context(snap, decoded(queries["product"]))
    benchmark(render, served, ctx, PAGE_SLOTS["product"], "bench")


@pytest.mark.parametrize("page", list(PAGE_SLOTS))
def test_python_reference_page(benchmark: Any, served: Served, snap: Any, queries: Any, page: str) -> None:
    """The same page planned step by step in Python by the oracle (tests/slots/oracle, the served
    path before the page kernel) and encoded there: a yardstick from the same run on any machine."""
    benchmark.group = "request path, Python reference"

    def reference() -> bytes:
        req = decoded(queries[page])
        ctx = build_context(snap, req)
        results = plan_reference(served, ctx, PAGE_SLOTS[page])
        return encode_response(snap, "bench", page, results, ctx.ignored)

    assert reference() == handle(served, queries[page])
    benchmark(reference)


def _asgi_get(app: Any, path: str, query: bytes) -> Any:
    """One GET through the full ASGI stack, no sockets."""
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
             "path": path, "raw_path": path.encode(), "query_string": query, "headers": [], "server": ("bench", 80),
             "client": ("bench", 1), "root_path": "", "app": app}
    sent: list[Any] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    async def call() -> list[Any]:
        await app(scope, receive, send)
        return sent

    return call


@pytest.fixture(scope="module")
def apps(synthetic_tables: Any, snap: Any) -> Any:
    from urllib.parse import urlencode

    from edge.serve.app import create_app

    # The same query repeats: without response_cache_bytes=0 the app would answer from its cache.
    app = create_app(Settings(tables=str(synthetic_tables), poll_seconds=3600.0, response_cache_bytes=0))
    cached = create_app(Settings(tables=str(synthetic_tables), poll_seconds=3600.0))
    loop = asyncio.new_event_loop()
    lifespans = [a.router.lifespan_context(a) for a in (app, cached)]
    for lifespan in lifespans:
        loop.run_until_complete(lifespan.__aenter__())
    body = b'{"status":"ok","items":[]}'

    async def constant(request: Any) -> Response:
        return Response(body, media_type="application/json")

    trivial = Starlette(routes=[Route("/", constant)])
    yield loop, app, trivial, urlencode, cached
    for lifespan in lifespans:
        loop.run_until_complete(lifespan.__aexit__(None, None, None))
    loop.close()


@pytest.mark.parametrize("page", list(PAGE_SLOTS))
def test_asgi_page(benchmark: Any, apps: Any, queries: Any, page: str) -> None:
    """Computed every time (the response cache is off): each page type against the trivial route."""
    benchmark.group = "asgi: skylt vs trivial route"
    loop, app, _, urlencode, _ = apps
    call = _asgi_get(app, "/v1/recommend", urlencode(queries[page]).encode())
    sent = benchmark(lambda: loop.run_until_complete(call()))
    assert sent[0]["status"] == 200


def test_asgi_product_page_cached(benchmark: Any, apps: Any, queries: Any) -> None:
    """Answered from the worker's response cache, before routing."""
    benchmark.group = "asgi: skylt vs trivial route"
    loop, _, _, urlencode, cached = apps
    call = _asgi_get(cached, "/v1/recommend", urlencode(queries["product"]).encode())
    first = loop.run_until_complete(call())
    sent = benchmark(lambda: loop.run_until_complete(call()))
    assert sent[-1]["body"] == first[1]["body"]


def test_asgi_trivial_route(benchmark: Any, apps: Any) -> None:
    benchmark.group = "asgi: skylt vs trivial route"
    loop, _, trivial, _, _ = apps
    call = _asgi_get(trivial, "/", b"")
    sent = benchmark(lambda: loop.run_until_complete(call()))
    assert sent[0]["status"] == 200


@pytest.fixture(scope="module")
def varied_product_pages(served: Served, snap: Any) -> list[tuple[Any, ...]]:
    """The kernel's arguments for 3,000 product pages of the load tests' shape (an item and a two-id history,
    drawn at random from the catalog), made once."""
    rng = np.random.default_rng(2)
    shape = layout("product", PAGE_SLOTS["product"])
    rules = page_rules_tuple(served, "product")
    pages = []
    for item, *history in rng.integers(0, snap.n_items, (3000, 3)):
        query = [("page", "product"), ("item", snap.external_id(int(item))),
                 ("history", ",".join(snap.external_id(int(i)) for i in history))]
        pages.append((served.bundles, request_of(build_context(snap, decoded(query)), shape.rows), rules))
    for page in pages:  # once each: the snapshot's pages they read are mapped, as in a worker serving for a while
        page_items(*page)
    return pages


def test_asgi_kernel_alone_varied(benchmark: Any, varied_product_pages: list[tuple[Any, ...]]) -> None:
    """The page kernel alone (plan and splice: no decode, context or HTTP), one of 3,000 different product pages
    per call, against the trivial route of the same run: the floor under a computed page's cost."""
    benchmark.group = "asgi: skylt vs trivial route"
    pages = itertools.cycle(varied_product_pages)
    items, meta = benchmark(lambda: page_items(*next(pages)))
    assert items.shape[0] == meta[len(PAGE_SLOTS["product"]) - 1] > 0


def realistic_rules(snap: Any) -> list[Any]:
    """50 rules as a shop might keep them: pins, boosts and buries by every criterion, exclusions, over every page."""
    from edge.rules.schemas import Boost, Bury, Exclude, Pin

    cats, brands = snap.manifest.categories, snap.manifest.brands
    best, _ = snap.ranking("bestsellers", 0)
    item = [snap.external_id(int(i)) for i in best[:40]]
    rules: list[Any] = []
    for page, slots in PAGE_SLOTS.items():
        for s, slot in enumerate(slots):  # 15 slots: a pin on each, two on the first
            rules.append(Pin(id=f"pin-{page}-{slot}", page=page, slot=slot, item=item[len(rules)], position=2))
            if s == 0:
                rules.append(Pin(id=f"pin2-{page}-{slot}", page=page, slot=slot, item=item[len(rules)], position=4))
        rules += [Boost(id=f"cat-{page}", page=page, category=cats[3], factor=2.0),  # page-wide
                  Boost(id=f"brand-{page}", page=page, slot=slots[0], brand=brands[5], factor=1.5),
                  Boost(id=f"new-{page}", page=page, slot=slots[1], new_within_days=30, factor=3.0),
                  Bury(id=f"cheap-{page}", page=page, slot=slots[-1], price_max=2.0, factor=0.5),
                  Bury(id=f"brand-bury-{page}", page=page, brand=brands[7], factor=0.3),
                  Exclude(id=f"no-cat-{page}", page=page, category=cats[11]),
                  Exclude(id=f"no-brand-{page}", page=page, slot=slots[0], brand=brands[9])]
    rules += [Boost(id="mid-price", page="product", slot="similar", price_min=5.0, price_max=50.0, factor=1.2),
              Bury(id="dept-0", page="product", slot="alternatives", category="Department 0", factor=0.5),
              Exclude(id="no-cat-upsell", page="product", slot="upsell", category=cats[12])]
    assert len(rules) == 50
    return rules


@pytest.fixture(scope="module")
def ruled(synthetic_tables: Any, snap: Any, tmp_path_factory: Any) -> Any:
    """An app serving the realistic rule set (response cache off), on its own loop."""
    from edge.rules.schemas import encode
    from edge.serve.app import create_app

    app = create_app(Settings(tables=str(synthetic_tables), poll_seconds=3600.0, response_cache_bytes=0,
                              admin_keys=("bench-admin-key-0001",), overlay_poll_seconds=3600.0,
                              catalog_overlay=str(tmp_path_factory.mktemp("overlay"))))
    loop = asyncio.new_event_loop()
    lifespan = app.router.lifespan_context(app)
    loop.run_until_complete(lifespan.__aenter__())
    app.state.overlay.store.put_rules(encode(realistic_rules(app.state.holder.current)))
    assert loop.run_until_complete(app.state.overlay.refresh(app.state.holder))
    yield loop, app
    loop.run_until_complete(lifespan.__aexit__(None, None, None))
    loop.close()


def test_asgi_product_page_with_rules(benchmark: Any, ruled: Any, queries: Any) -> None:
    """Computed every time under 50 merchandising rules (pins, boosts, buries and exclusions on the page)."""
    from urllib.parse import urlencode

    benchmark.group = "asgi: skylt vs trivial route"
    loop, app = ruled
    call = _asgi_get(app, "/v1/recommend", urlencode(queries["product"]).encode())
    sent = benchmark(lambda: loop.run_until_complete(call()))
    assert sent[0]["status"] == 200 and b"Picked by the shop" in sent[1]["body"]
