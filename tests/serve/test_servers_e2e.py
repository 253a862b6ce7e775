"""uvicorn and granian serve the same API: every answer a real server gives (status, headers, body) is the
app's own, as the app answers in-process, on two workers; body limits hold however the body arrives; the
lifespan has warmed a worker before it answers; SIGTERM finishes the requests in flight."""

from __future__ import annotations

import json
import signal
import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from starlette.testclient import TestClient

from edge.config import Settings
from edge.serve.app import create_app
from edge.serve.servers import GRACE_SECONDS
from tests.conftest import SERVERS, Server, assert_problem
from tests.waiting import wait_until

pytestmark = pytest.mark.slow

SHOP = "https://shop.example"
ADMIN = "servers-e2e-admin-key-0001"
SETTINGS = {"cors_origins": SHOP, "max_body_bytes": "4096", "admin_keys": ADMIN}
# Each server names itself, dates its answers and decides whether a connection stays open (granian closes one whose
# request body went unread, as after a 413); everything else must be the app's.
SERVER_HEADERS = {"server", "date", "connection"}


@pytest.fixture(scope="module", params=SERVERS)
def served(request: pytest.FixtureRequest, demo_tables: Path, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[tuple[Server, TestClient]]:
    """One server per HTTP server for the whole module, and the same app in-process to compare with."""
    state = tmp_path_factory.mktemp(f"served-{request.param}")
    env = {f"SKYLT_{k.upper()}": v for k, v in SETTINGS.items()}
    env |= {"SKYLT_EVENT_LOG": str(state / "events"), "SKYLT_CATALOG_OVERLAY": str(state / "overlay")}
    srv = Server(demo_tables, workers=2, env=env, server=request.param)
    settings = Settings.load(tables=str(demo_tables), poll_seconds=3600.0, event_log=str(state / "events-app"),
                             catalog_overlay=str(state / "overlay-app"), **SETTINGS)
    try:
        srv.wait_ready()
        with TestClient(create_app(settings), base_url=srv.url, raise_server_exceptions=False) as app:
            yield srv, app
    finally:
        srv.stop()


def item_of(snapshot: object) -> str:
    return snapshot.external_id(int(snapshot.ranking("bestsellers", 0)[0][0]))  # type: ignore[attr-defined]


def requests_to_compare(item: str, etag: str) -> list[tuple[str, str, dict[str, object]]]:
    product = {"page": "product", "item": item}
    return [
        ("GET", "/v1/recommend", {"params": product}),
        ("GET", "/v1/recommend", {"params": product, "headers": {"If-None-Match": etag}}),  # 304
        ("GET", "/v1/recommend", {"params": product, "headers": {"Origin": SHOP}}),
        ("GET", "/v1/recommend", {"params": product, "headers": {"Origin": "https://evil.example"}}),
        ("OPTIONS", "/v1/recommend", {"headers": {"Origin": SHOP, "Access-Control-Request-Method": "GET"}}),
        ("OPTIONS", "/v1/recommend", {"headers": {"Origin": "https://evil.example",
                                                  "Access-Control-Request-Method": "GET"}}),
        ("POST", "/v1/recommend", {"json": product}),
        ("GET", "/v1/recommend", {"params": {"page": "product", "n": "500"}}),  # 422
        ("POST", "/v1/recommend", {"content": b"\xff\xfe", "headers": {"Content-Type": "application/json"}}),
        ("POST", "/v1/recommend", {"content": b"{" * 5000, "headers": {"Content-Type": "application/json"}}),
        ("DELETE", "/v1/recommend", {}),  # 405
        ("GET", "/nowhere", {}),
        ("PUT", "/v1/catalog/items", {"json": {"items": []}}),  # 401 without the admin key
        ("GET", "/healthz", {}),
        ("GET", "/readyz", {}),
        ("GET", "/openapi.json", {}),
    ]


def comparable(response: httpx.Response) -> tuple[int, list[tuple[str, str]], bytes]:
    headers = sorted((k.lower(), v) for k, v in response.headers.multi_items() if k.lower() not in SERVER_HEADERS)
    # Starlette lists a route's methods from a set: the order follows the process's string hashing.
    headers = [(k, ", ".join(sorted(v.split(", "))) if k == "allow" else v) for k, v in headers]
    return response.status_code, headers, response.content


def steady(response: httpx.Response) -> tuple:
    """``comparable``, but a readiness answer's ``age_seconds`` (the snapshot's age, in tenths, which
    moves between the two requests) is only checked to be a number of seconds (or null), and so is not its length."""
    status, headers, body = comparable(response)
    if not body.startswith(b"{") or b'"age_seconds"' not in body:
        return status, headers, body
    health = json.loads(body)
    if "age_seconds" not in health:  # e.g. the OpenAPI document, which names the field
        return status, headers, body
    age = health.pop("age_seconds")
    assert age is None or age >= 0
    return status, [(k, v) for k, v in headers if k != "content-length"], health


def test_every_answer_is_the_apps_own(served, demo_snapshot):
    srv, app = served
    item = item_of(demo_snapshot)
    with httpx.Client(base_url=srv.url, timeout=30) as client:
        etag = client.get("/v1/recommend", params={"page": "product", "item": item}).headers["etag"]
        for method, path, options in requests_to_compare(item, etag):
            over_http = client.request(method, path, **options)  # type: ignore[arg-type]
            in_process = app.request(method, path, **options)  # type: ignore[arg-type]
            assert steady(over_http) == steady(in_process), (method, path, options)
            assert {k.lower() for k in over_http.headers} >= {"date"}


def test_etag_304_cors_and_problems(served, demo_snapshot):
    srv, _ = served
    params = {"page": "product", "item": item_of(demo_snapshot)}
    with httpx.Client(base_url=srv.url, timeout=30) as client:
        first = client.get("/v1/recommend", params=params, headers={"Origin": SHOP})
        assert first.status_code == 200 and first.headers["access-control-allow-origin"] == SHOP
        assert "etag" in first.headers["access-control-expose-headers"].lower()
        again = client.get("/v1/recommend", params=params, headers={"If-None-Match": first.headers["etag"]})
        assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == first.headers["etag"]
        assert "access-control-allow-origin" not in client.get(
            "/v1/recommend", params=params, headers={"Origin": "https://evil.example"}).headers
        assert_problem(client.options("/v1/recommend", headers={"Origin": "https://evil.example",
                                                                 "Access-Control-Request-Method": "GET"}), 400)
        assert_problem(client.get("/v1/recommend", params={"page": "nowhere"}), 404, "page")


def test_body_limits_hold_with_or_without_a_content_length(served):
    srv, _ = served

    def chunks() -> Iterator[bytes]:  # no Content-Length: the server learns the size only while reading
        for _ in range(10):
            yield b" " * 1000

    with httpx.Client(base_url=srv.url, timeout=30) as client:
        declared = client.post("/v1/recommend", content=b" " * 5000, headers={"Content-Type": "application/json"})
        assert_problem(declared, 413)
        streamed = client.post("/v1/recommend", content=chunks(), headers={"Content-Type": "application/json"})
        assert_problem(streamed, 413)
        # Refused before the body's end: the connection cannot carry another request, and the answer says so.
        assert declared.headers["connection"] == streamed.headers["connection"] == "close"
        assert client.post("/v1/recommend", json={"page": "home"}).status_code == 200


def test_a_worker_answers_only_once_warm(demo_tables, demo_snapshot, http_server, tmp_path):
    """The first answer of a fresh server is already a computed page, never 'not ready' nor a refused request."""
    srv = Server(demo_tables, server=http_server, env={"SKYLT_EVENT_LOG": str(tmp_path / "events")})
    params = {"page": "product", "item": item_of(demo_snapshot)}

    def first_answer() -> httpx.Response | None:
        if srv.proc.poll() is not None:
            raise RuntimeError(srv.log.read_text())
        try:
            return httpx.get(f"{srv.url}/v1/recommend", params=params, timeout=60)
        except httpx.ConnectError:
            return None  # not listening yet

    try:
        answer = wait_until(first_answer, timeout=120, what="the server's first answer")
        assert answer.status_code == 200, answer.text
        assert answer.json()["version"] == demo_snapshot.version  # type: ignore[attr-defined]
    finally:
        srv.stop()


def refuses(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return True
    return False


def test_sigterm_finishes_the_requests_in_flight(demo_tables, demo_snapshot, http_server, tmp_path):
    srv = Server(demo_tables, server=http_server, env={"SKYLT_EVENT_LOG": str(tmp_path / "events")})
    body = json.dumps({"page": "product", "item": item_of(demo_snapshot)}).encode()
    head = (f"POST /v1/recommend HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\nExpect: 100-continue\r\n\r\n").encode()
    try:
        srv.wait_ready()
        with socket.create_connection(("127.0.0.1", srv.port), timeout=30) as sock:
            sock.sendall(head)
            # 100 Continue: the app has the request and is reading its body. Now stop the server.
            assert sock.recv(1024).startswith(b"HTTP/1.1 100")
            srv.proc.terminate()
            wait_until(lambda: refuses(srv.port), timeout=30, what="new connections refused")
            sock.sendall(body)
            answer = b""
            while b"\r\n\r\n" not in answer or not answer.rstrip().endswith(b"}"):
                data = sock.recv(65536)
                if not data:
                    break
                answer += data
        status, _, rest = answer.partition(b"\r\n")
        assert status == b"HTTP/1.1 200 OK", answer[:300]
        assert json.loads(rest.partition(b"\r\n\r\n")[2])["page"] == "product"
        # A clean stop: uvicorn re-raises the signal once it has finished (exit status -15), granian exits 0.
        assert srv.proc.wait(timeout=30) in (0, -signal.SIGTERM)
    finally:
        srv.stop()


def test_sigterm_during_the_warm_up_stops_the_server_within_the_grace_period(demo_tables, http_server, tmp_path):
    srv = Server(demo_tables, workers=2, server=http_server, env={"SKYLT_EVENT_LOG": str(tmp_path / "events")})
    try:
        wait_until(lambda: len(srv.pids()) >= 3, timeout=60, what="both workers started")  # and warming up
        srv.proc.terminate()
        # However far each worker got (granian's can miss a signal that comes during its lifespan), none outlives
        # the grace period by much.
        srv.proc.wait(timeout=GRACE_SECONDS + 30)
    finally:
        srv.stop()
