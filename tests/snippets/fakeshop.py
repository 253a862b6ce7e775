"""A throwaway shop for browser tests: serves the built snippet, pages with any SkyltConfig, and canned API answers
(slow, garbage, hostile) on 127.0.0.1 in a background thread."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tests.conftest import REPO

SNIPPET = REPO / "snippets" / "dist" / "skylt.min.js"
ESM = REPO / "snippets" / "skylt.mjs"


@dataclass
class Canned:
    status: int = 200
    body: bytes = b""
    content_type: str = "application/json"
    delay: float = 0.0


@dataclass
class Post:
    path: str
    content_type: str
    key: str | None
    body: Any


@dataclass
class Get:
    path: str
    headers: dict[str, str]  # names in lower case


# What Skylt's CORS allows (edge/serve/app.py): the fake API answers preflights the same way.
CORS_HEADERS = "Content-Type, If-None-Match, X-Skylt-Key, X-Skylt-User-Token"


class FakeShop:
    """Pages at /page/<name>, the snippet at /skylt.js and /skylt.mjs, canned API answers under /api/<name>/.
    The API also answers from another origin (``cross_url``, localhost for 127.0.0.1), with CORS like Skylt's."""

    def __init__(self) -> None:
        self.pages: dict[str, bytes] = {}
        self.apis: dict[str, Canned] = {}
        self.requests: list[str] = []
        self.gets: list[Get] = []
        self.posts: list[Post] = []
        self.preflights: list[Get] = []
        shop = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                shop.requests.append(self.path)
                shop.gets.append(Get(self.path, {k.lower(): v for k, v in self.headers.items()}))
                path = self.path.split("?", 1)[0]
                if path == "/skylt.js":
                    return self._send(Canned(body=SNIPPET.read_bytes(), content_type="text/javascript"))
                if path == "/skylt.mjs":
                    return self._send(Canned(body=ESM.read_bytes(), content_type="text/javascript"))
                if path.startswith("/page/") and path[6:] in shop.pages:
                    return self._send(Canned(body=shop.pages[path[6:]], content_type="text/html; charset=utf-8"))
                parts = path.split("/")
                if len(parts) > 3 and parts[1] == "api" and parts[2] in shop.apis:
                    return self._send(shop.apis[parts[2]])
                self._send(Canned(status=404, body=b"not found", content_type="text/plain"))

            def do_POST(self) -> None:
                shop.requests.append(self.path)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                shop.posts.append(Post(self.path, self.headers.get("Content-Type", ""),
                                       self.headers.get("X-Skylt-Key"), json.loads(body)))
                self._send(Canned(body=b'{"accepted": 0}'))

            def do_OPTIONS(self) -> None:
                shop.preflights.append(Get(self.path, {k.lower(): v for k, v in self.headers.items()}))
                self.send_response(200)
                self._cors()
                self.send_header("Access-Control-Allow-Methods", "GET, POST")
                self.send_header("Access-Control-Allow-Headers", CORS_HEADERS)
                self.send_header("Access-Control-Max-Age", "600")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def _cors(self) -> None:
                if self.headers.get("Origin"):
                    self.send_header("Access-Control-Allow-Origin", self.headers["Origin"])
                    self.send_header("Vary", "Origin")

            def _send(self, canned: Canned) -> None:
                if canned.delay:
                    time.sleep(canned.delay)  # not a wait: a slow API is what the snippet's timeout is tested on
                try:
                    self.send_response(canned.status)
                    self._cors()
                    self.send_header("Content-Type", canned.content_type)
                    self.send_header("Content-Length", str(len(canned.body)))
                    self.send_header("Cache-Control", "no-store")
                    self.end_headers()
                    self.wfile.write(canned.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the browser gave up waiting, as it should

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.cross_url = f"http://localhost:{self.httpd.server_address[1]}"  # another origin, the same server
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def api(self, name: str, canned: Canned, cross: bool = False) -> str:
        """Register a canned API answer; returns the base URL to put in SkyltConfig.api (on another origin than the
        pages with ``cross``)."""
        self.apis[name] = canned
        return f"{self.cross_url if cross else self.url}/api/{name}"

    def api_json(self, name: str, payload: Any, cross: bool = False) -> str:
        return self.api(name, Canned(body=json.dumps(payload).encode()), cross)

    def page(self, name: str, config: dict[str, Any], body: str, head: str = "") -> str:
        """A page loading the built snippet with ``config``; returns its URL."""
        html = (f"<!doctype html><html><head><meta charset='utf-8'><link rel='icon' href='data:,'>"
                f"<script>window.SkyltConfig = {json.dumps(config)};</script>{head}"
                f"<script src='/skylt.js' defer></script></head><body>{body}</body></html>")
        self.pages[name] = html.encode()
        return f"{self.url}/page/{name}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def response(*slots: tuple[str, list[dict[str, Any]]], request_id: str = "rid-1") -> dict[str, Any]:
    """A /v1/recommend body in the API's shape."""
    return {"request_id": request_id, "version": "v", "page": "product", "ignored_ids": 0,
            "slots": [{"slot": name, "title": name.replace("_", " ").title(), "items": items}
                      for name, items in slots]}


def item(item_id: str, **fields: Any) -> dict[str, Any]:
    return {"id": item_id, "title": f"Item {item_id}", "url": None, "image": None, "price": 2.5,
            "currency": "GBP", "score": 0.5, "reason": "Bought together 3 times", **fields}


@pytest.fixture(scope="session")
def fake_shop() -> Iterator[FakeShop]:
    shop = FakeShop()
    try:
        yield shop
    finally:
        shop.close()
