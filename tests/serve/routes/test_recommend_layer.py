"""``RecommendGets`` answers GET /v1/recommend before the router, computed or cached; the route
answers the same requests when the layer passes them on (a mounted root path, a failing GET)."""

from urllib.parse import urlencode

import pytest

from edge.serve.routes.recommend import PATH, RecommendGets
from tests.serve.routes.conftest import overlay_client

ORIGIN = "https://shop.example"


class Inner:
    def __init__(self):
        self.calls = 0

    async def __call__(self, scope, receive, send):
        self.calls += 1


def asgi_get(client, query, headers=(), root_path="", app=None):
    """The messages one GET sends, through ``app`` (default: the client's whole app) on its loop."""
    sent = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    async def run():
        path = root_path + PATH
        scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
                 "scheme": "http", "path": path, "raw_path": path.encode(), "root_path": root_path,
                 "query_string": query.encode(), "headers": [(k.encode(), v.encode()) for k, v in headers],
                 "server": ("testserver", 80), "client": ("testclient", 1)}
        await (app or client.app)(scope, receive, send)

    client.portal.call(run)
    return sent


def product(ids, **more):
    return urlencode({"page": "product", "item": ids[0], "history": f"{ids[1]},{ids[2]}", **more})


@pytest.mark.parametrize("cache_bytes", [0, 1 << 20])
@pytest.mark.parametrize("case", ["anonymous", "known customer", "control bucket", "if-none-match", "cors"])
def test_the_layer_and_the_route_send_the_same_answer(demo_tables, tmp_path, ids, case, cache_bytes):
    query = product(ids, **({"user": "customer-1"} if case == "known customer" else {}),
                    **({"session": "s-control"} if case == "control bucket" else {}))
    headers = [("origin", ORIGIN)] if case == "cors" else []
    with overlay_client(demo_tables, tmp_path, cors_origins=ORIGIN, response_cache_bytes=cache_bytes,
                        control_share=1.0 if case == "control bucket" else 0.0) as c:
        if case == "if-none-match":
            first = asgi_get(c, query)
            headers = [("if-none-match", dict(first[0]["headers"])[b"etag"].decode())]
        by_layer = asgi_get(c, query, headers)
        by_route = asgi_get(c, query, headers, root_path="/skylt")  # the layer passes a mounted app on
        assert by_layer == by_route
        assert by_layer[0]["status"] == (304 if case == "if-none-match" else 200)
        if case == "cors":
            assert (b"access-control-allow-origin", ORIGIN.encode()) in by_layer[0]["headers"]
        if case == "control bucket":
            assert b'"bucket":"control"' in by_layer[1]["body"]


def test_a_get_is_computed_without_the_router_and_a_failing_one_goes_on_to_it(client, ids):
    inner = Inner()
    layer = RecommendGets(inner, client.app.state)
    sent = asgi_get(client, product(ids), app=layer)
    assert inner.calls == 0 and [m["type"] for m in sent] == ["http.response.start", "http.response.body"]
    assert sent[0]["status"] == 200 and sent[1]["body"].startswith(b'{"request_id"')
    assert asgi_get(client, product(ids, n="99"), app=layer) == [] and inner.calls == 1


def test_a_failing_get_is_answered_once_by_the_error_mapping(client, ids):
    sent = asgi_get(client, product(ids, n="99"))
    assert sent[0]["status"] == 422
    assert (b"content-type", b"application/problem+json") in sent[0]["headers"]
    assert b'"field":"n"' in sent[1]["body"] and len(sent) == 2
