"""The response cache through the real app: hits are the computed answers byte for byte, and no
catalog update or snapshot swap ever lets an old answer out."""

import asyncio
import re
import shutil
from types import SimpleNamespace
from urllib.parse import urlencode

import pytest

from edge.overlay.schemas import ItemUpdate
from edge.serve.cache import ResponseCache, entry, token
from edge.serve.metrics import Metrics
from edge.serve.routes.recommend import RecommendGets
from tests.conftest import assert_problem
from tests.serve.routes.conftest import overlay_client

ADMIN = {"Authorization": "Bearer admin-secret-key-0001"}
ORIGIN = "https://shop.example"



def product(ids, **more):
    return "/v1/recommend?" + urlencode({"page": "product", "item": ids[0], "history": f"{ids[1]},{ids[2]}", **more})


def metric(client, name, **labels):
    text = client.get("/metrics").text
    selector = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    line = re.search(rf"^{re.escape(name)}{re.escape('{' + selector + '}') if labels else ''} (\S+)$", text, re.M)
    return float(line.group(1)) if line else 0.0


def exact(r):
    return r.status_code, r.headers.multi_items(), r.content


def test_a_hit_is_the_computed_answer_byte_for_byte(client, ids, demo_tables, tmp_path):
    miss, hit = client.get(product(ids)), client.get(product(ids))
    assert miss.status_code == 200 and exact(hit) == exact(miss)
    assert [k for k, _ in miss.headers.multi_items()] == ["etag", "cache-control", "content-length", "content-type"]
    assert metric(client, "skylt_response_cache_total", result="hit") == 1
    assert metric(client, "skylt_response_cache_total", result="miss") == 1
    with overlay_client(demo_tables, tmp_path / "off", response_cache_bytes=0) as off:
        assert exact(off.get(product(ids))) == exact(miss)


def test_a_miss_looks_the_cache_up_once(client, ids):
    cache = client.app.state.response_cache
    looked_up = []
    real_get = cache.get
    cache.get = lambda key, tok: looked_up.append(key) or real_get(key, tok)
    client.get(product(ids))
    client.get(product(ids))
    assert len(looked_up) == 2  # the miss once (by the layer, not again by the route), then the hit


def test_a_hit_answers_if_none_match_with_304(client, ids, demo_tables, tmp_path):
    etag = client.get(product(ids)).headers["etag"]
    hit = client.get(product(ids), headers={"If-None-Match": f'"other", W/{etag}'})
    assert hit.status_code == 304 and hit.content == b""
    with overlay_client(demo_tables, tmp_path / "off", response_cache_bytes=0) as off:
        computed = off.get(product(ids), headers={"If-None-Match": etag})
    assert exact(hit) == exact(computed)
    assert client.get(product(ids), headers={"If-None-Match": '"other"'}).status_code == 200
    assert metric(client, "skylt_not_modified_total") == 1
    assert metric(client, "skylt_response_cache_total", result="hit") == 2


def test_hits_count_as_requests_and_only_computed_slots_in_the_slot_histograms(client, ids):
    for _ in range(3):
        assert client.get(product(ids)).status_code == 200
    assert metric(client, "skylt_requests_total", page="product", status="200") == 3
    assert metric(client, "skylt_request_seconds_count", page="product") == 3
    assert metric(client, "skylt_slot_seconds_count", page="product", slot="similar") == 1
    assert metric(client, "skylt_response_cache_entries") == 1
    assert 5000 < metric(client, "skylt_response_cache_bytes") < 64 << 10


def test_a_catalog_update_changes_the_next_answer(client, ids):
    before = client.get(product(ids, slots="similar")).json()
    shown = before["slots"][0]["items"][0]["id"]
    assert client.get(product(ids, slots="similar")).json() == before  # cached
    assert client.put("/v1/catalog/items", json={"items": [{"id": shown, "in_stock": False}]},
                      headers=ADMIN).status_code == 200
    after = client.get(product(ids, slots="similar"))
    assert shown not in [i["id"] for i in after.json()["slots"][0]["items"]]
    assert after.json()["request_id"] != before["request_id"]
    assert client.delete(f"/v1/catalog/items/{ids[9]}", headers=ADMIN).status_code == 200
    assert client.get(product(ids, slots="similar")).headers["etag"] != after.headers["etag"]


def test_an_update_through_another_worker_reaches_this_workers_cache(demo_tables, tmp_path, ids):
    query = "/v1/recommend?page=home&slots=bestsellers"
    with overlay_client(demo_tables, tmp_path) as c:
        first = c.get(query).json()["slots"][0]["items"][0]["id"]
        assert len(c.app.state.response_cache) == 1
        c.app.state.overlay.store.upsert([ItemUpdate(id=first, in_stock=False)])  # as another worker writes
        assert c.portal.call(c.app.state.overlay.refresh, c.app.state.holder)  # what this worker's poll does
        assert first not in [i["id"] for i in c.get(query).json()["slots"][0]["items"]]


def test_a_snapshot_swap_changes_the_next_answer(demo_tables, tmp_path, ids):
    from edge.build.demo import demo_files
    from edge.build.pipeline import build

    tables = tmp_path / "tables"
    shutil.copytree(demo_tables, tables, symlinks=True)
    with overlay_client(tables, tmp_path) as c:
        before = c.get(product(ids))
        assert exact(c.get(product(ids))) == exact(before)
        events, catalog = demo_files()
        build(events, tables, catalog_path=catalog)
        assert c.portal.call(c.app.state.holder.refresh)
        after = c.get(product(ids))
        new_version = c.app.state.holder.current.version
        assert after.json()["version"] == new_version != before.json()["version"]
        assert after.headers["etag"] != before.headers["etag"]
        assert c.get(product(ids), headers={"If-None-Match": before.headers["etag"]}).status_code == 200


def test_known_customers_are_never_stored(client, ids):
    url = product(ids, user="customer-1")
    first, second = client.get(url), client.get(url)
    assert first.headers["cache-control"] == second.headers["cache-control"] == "private, no-cache"
    assert len(client.app.state.response_cache) == 0
    assert metric(client, "skylt_response_cache_total", result="bypass") == 2
    assert metric(client, "skylt_slot_seconds_count", page="product", slot="similar") == 2


def test_post_is_never_stored(client, ids):
    body = {"page": "product", "item": ids[0]}
    assert client.post("/v1/recommend", json=body).status_code == 200
    assert client.post("/v1/recommend", json=body).headers["cache-control"] == "no-store"
    assert len(client.app.state.response_cache) == 0
    assert metric(client, "skylt_response_cache_total", result="miss") == 0


def test_errors_are_never_stored(client):
    for _ in range(2):
        assert_problem(client.get("/v1/recommend?page=product&n=99"), 422, "n")
    assert len(client.app.state.response_cache) == 0


def test_zero_bytes_turns_it_off(demo_tables, tmp_path, ids):
    with overlay_client(demo_tables, tmp_path, response_cache_bytes=0) as c:
        for _ in range(2):
            assert c.get(product(ids)).status_code == 200
        assert len(c.app.state.response_cache) == 0
        assert metric(c, "skylt_slot_seconds_count", page="product", slot="similar") == 2
        assert metric(c, "skylt_response_cache_total", result="hit") == 0


@pytest.mark.parametrize("origin", [ORIGIN, "https://elsewhere.example", None])
def test_hits_carry_the_same_cors_headers(demo_tables, tmp_path, ids, origin):
    headers = {"Origin": origin} if origin else {}
    with overlay_client(demo_tables, tmp_path, cors_origins=ORIGIN) as c:
        miss, hit = c.get(product(ids), headers=headers), c.get(product(ids), headers=headers)
        assert metric(c, "skylt_response_cache_total", result="hit") == 1
    with overlay_client(demo_tables, tmp_path / "off", cors_origins=ORIGIN, response_cache_bytes=0) as off:
        computed = off.get(product(ids), headers=headers)
    assert exact(hit) == exact(miss) == exact(computed)
    if origin == ORIGIN:
        assert hit.headers["access-control-allow-origin"] == ORIGIN
        assert "ETag" in hit.headers["access-control-expose-headers"]


def test_no_snapshot_is_still_503(tmp_path):
    with overlay_client(tmp_path / "empty", tmp_path) as c:
        for _ in range(2):
            assert_problem(c.get("/v1/recommend?page=home"), 503)


# -- the ASGI layer on its own ---------------------------------------------------------

class Inner:
    def __init__(self):
        self.calls = 0

    async def __call__(self, scope, receive, send):
        self.calls += 1


def layer(snap="snapshot"):
    snapshot = SimpleNamespace(version="v1", generation=None) if snap else None  # a Served, as far as used
    cache = ResponseCache(1 << 20)
    headers = [(b"etag", b'"k"'), (b"cache-control", b"public"), (b"content-length", b"2"),
               (b"content-type", b"application/json")]
    if snapshot is not None:
        cache.put(b"page=home", token(snapshot), entry(b"page=home", "home", '"k"', b"{}", headers, headers[:2]))
    inner = Inner()
    holder = SimpleNamespace(current=snapshot, served=snapshot)
    state = SimpleNamespace(response_cache=cache, holder=holder, metrics=Metrics())
    return RecommendGets(inner, state), inner, headers


def call(app, **scope):
    sent = []

    async def send(message):
        sent.append(message)

    base = {"type": "http", "method": "GET", "path": "/v1/recommend", "query_string": b"page=home", "headers": [],
            "root_path": ""}
    asyncio.run(app(base | scope, None, send))
    return sent


def test_the_layer_answers_a_hit_with_two_sends_and_never_calls_the_app():
    app, inner, headers = layer()
    sent = call(app)
    assert inner.calls == 0
    assert sent == [{"type": "http.response.start", "status": 200, "headers": headers},
                    {"type": "http.response.body", "body": b"{}"}]
    sent = call(app, headers=[(b"if-none-match", b'"k"'), (b"if-none-match", b'"x"')])
    assert sent[0]["status"] == 304 and sent[0]["headers"] == headers[:2] and sent[1]["body"] == b""
    stored = app.state.response_cache.get(b"page=home", ("v1", None))
    assert sent[0]["headers"] is not stored.not_modified  # a copy per answer


@pytest.mark.parametrize("scope", [{"method": "HEAD"}, {"method": "POST"}, {"path": "/v1/recommend/"},
                                   {"path": "/healthz"}, {"root_path": "/skylt"},
                                   {"type": "websocket"}])
def test_the_layer_passes_on_everything_else(scope):
    app, inner, _ = layer()
    assert call(app, **scope) == [] and inner.calls == 1


def test_the_layer_passes_on_without_a_snapshot():
    app, inner, _ = layer(snap=None)
    assert call(app) == [] and inner.calls == 1
