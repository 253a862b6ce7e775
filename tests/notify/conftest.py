"""A shop whose customers reach Skylt through the real app in-process, a local stand-in for Klaviyo's events
endpoint and a webhook receiver that checks signatures, each started by the test on 127.0.0.1."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import IDENTITY_SECRET, SERVER_KEY, user_token
from tests.storefront.conftest import read_events  # noqa: F401 - shared helper

INGEST_KEY = "notify-ingest-key-0001"
ADMIN_KEY = "notify-admin-key-00001"
SECRET_KEY = "notify-secret-key-0123456789abcdef-0001"
KLAVIYO_KEY = "pk_notify_test_private_key_0001"
WEBHOOK_SECRET = "notify-webhook-secret-0001"
HOUR = 3600.0


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class FakeService:
    """Answers each POST from ``script`` (status, headers) in turn, then ``default``; ``hold`` keeps the next
    request waiting (after recording it) until released: a sender killed while it waits."""

    default: int = 202
    script: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    check: Callable[[Received], int | None] | None = None
    hold: threading.Event | None = None
    release: threading.Event = field(default_factory=threading.Event)
    url: str = ""

    def answer(self, got: Received) -> tuple[int, dict[str, str]]:
        self.received.append(got)
        if self.hold is not None:
            self.hold.set()
            self.hold = None
            self.release.wait(30)
        refused = self.check(got) if self.check is not None else None
        if refused is not None:
            return refused, {}
        return self.script.pop(0) if self.script else (self.default, {})

    def wait_for(self, n: int, timeout: float = 30.0) -> list[Received]:
        deadline = time.monotonic() + timeout
        while len(self.received) < n and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.received

    def kept(self) -> dict[str, Any]:
        """What Klaviyo would keep: one event per unique_id."""
        events: dict[str, Any] = {}
        for got in self.received:
            if got.path == "/api/events":
                attrs = got.json()["data"]["attributes"]
                events.setdefault(attrs["unique_id"], attrs)
        return events


def serve(service: FakeService) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            status, headers = service.answer(Received(self.path, {k.lower(): v for k, v in self.headers.items()},
                                                      body, time.monotonic()))
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    service.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd


@pytest.fixture
def klaviyo() -> Iterator[FakeService]:
    service = FakeService()
    httpd = serve(service)
    try:
        yield service
    finally:
        service.release.set()
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def receiver() -> Iterator[FakeService]:
    """A shop's own mailer: answers 401 to anything whose signature or timestamp does not verify."""
    from edge.notify.webhook import SIGNATURE, TIMESTAMP, verify

    service = FakeService(default=200)
    service.check = lambda got: None if verify(WEBHOOK_SECRET, got.body, got.headers.get(TIMESTAMP.lower()),
                                               got.headers.get(SIGNATURE.lower())) else 401
    httpd = serve(service)
    try:
        yield service
    finally:
        httpd.shutdown()
        httpd.server_close()


@dataclass
class Shop:
    tables: Path
    root: Path
    env: dict[str, str]

    def settings(self, **overrides: Any) -> Any:
        from edge.config import Settings

        return Settings.load(**{**self.env, **overrides})

    def post(self, events: list[dict[str, Any]], key: str = INGEST_KEY, **overrides: Any) -> Any:
        """One batch through the real app (closed again: `skylt notify` opens the same LMDB files)."""
        from starlette.testclient import TestClient

        from edge.serve.app import create_app

        with TestClient(create_app(self.settings(**overrides))) as client:
            answer = client.post("/v1/events", json={"events": events}, headers={"X-Skylt-Key": key})
        assert answer.status_code == 200, answer.text
        return answer.json()

    def erase(self, user: str) -> Any:
        from starlette.testclient import TestClient

        from edge.serve.app import create_app

        with TestClient(create_app(self.settings())) as client:
            answer = client.delete(f"/v1/users/{user}", headers={"Authorization": f"Bearer {ADMIN_KEY}"})
        assert answer.status_code == 200, answer.text
        return answer.json()

    def notify(self, now: float | None = None, dry_run: bool = False, **overrides: Any) -> Any:
        from edge.notify.cli import notify_once

        return notify_once(self.settings(**overrides), time.time() if now is None else now, dry_run)

    def store(self) -> Any:
        from edge.notify.state import NotifyState

        return NotifyState(self.env["notify_state"])


def signed(user: str, **event: Any) -> dict[str, Any]:
    return {"user": user, "user_token": user_token(user), **event}


@pytest.fixture
def shop(demo_tables: Path, tmp_path: Path, klaviyo: FakeService) -> Shop:
    env = {"tables": str(demo_tables), "poll_seconds": "3600", "event_log": str(tmp_path / "events"),
           "catalog_overlay": str(tmp_path / "overlay"), "notify_state": str(tmp_path / "notify"),
           "ingest_keys": INGEST_KEY, "server_keys": SERVER_KEY, "admin_keys": ADMIN_KEY,
           "identity_secrets": IDENTITY_SECRET, "secret_key": SECRET_KEY, "klaviyo_private_key": KLAVIYO_KEY,
           "klaviyo_api_url": klaviyo.url, "notify_item_url": "https://shop.example/p/{id}"}
    return Shop(demo_tables, tmp_path, env)
