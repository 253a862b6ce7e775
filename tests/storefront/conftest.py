"""A real `skylt serve` with the demo shop, event ingest and CORS for the fake shop's origin."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Server
from tests.snippets.fakeshop import FakeShop, fake_shop  # noqa: F401 - fake_shop: shared fixture

INGEST_KEY = "test-ingest-key-0001"
ADMIN_KEY = "test-admin-key-00001"
IDENTITY_SECRET = "storefront-identity-secret-0001"


def read_events(log_dir: Path, kind: str = "events") -> list[dict[str, Any]]:
    lines = []
    for segment in sorted(log_dir.glob(f"{kind}-*.jsonl")):
        complete = segment.read_text().split("\n")[:-1]  # a line being written may not be whole yet
        lines += [json.loads(line) for line in complete if line.strip()]
    return lines


class ShopServer(Server):
    events: Path

    def shop(self, path: str = "") -> str:
        return f"{self.url}/storefront/{path}"

    def wait_for_events(self, match: Callable[[dict[str, Any]], bool], timeout: float = 5.0) -> list[dict[str, Any]]:
        """The logged events ``match`` accepts, once there is at least one."""
        deadline = time.monotonic() + timeout
        while True:
            found = [e for e in read_events(self.events) if match(e)]
            if found or time.monotonic() > deadline:
                return found
            time.sleep(0.05)


@pytest.fixture(scope="session")
def shop_server(demo_tables: Path, fake_shop: FakeShop,  # noqa: F811
                tmp_path_factory: pytest.TempPathFactory) -> Iterator[ShopServer]:
    state = tmp_path_factory.mktemp("storefront")
    srv = ShopServer(demo_tables, env={"SKYLT_STOREFRONT": "true", "SKYLT_INGEST_KEYS": INGEST_KEY,
                                       "SKYLT_ADMIN_KEYS": ADMIN_KEY, "SKYLT_IDENTITY_SECRETS": IDENTITY_SECRET,
                                       "SKYLT_EVENT_LOG": str(state / "events"),
                                       "SKYLT_CATALOG_OVERLAY": str(state / "overlay"),
                                       "SKYLT_CORS_ORIGINS": fake_shop.url})
    srv.events = state / "events"
    try:
        srv.wait_ready()
        yield srv
    finally:
        srv.stop()
