"""Fixtures of the route tests that serve the demo snapshot with a catalog overlay and admin keys
(a module's own ``client`` or ``ids`` fixture takes precedence)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from edge.config import Settings
from edge.serve.app import create_app


def overlay_client(demo_tables: Path, tmp_path: Path, **settings: Any) -> TestClient:
    """A client of an app on the demo snapshot whose overlay and event log live in ``tmp_path``;
    admin keys ``other-admin-key-0001`` and ``admin-secret-key-0001``."""
    values = {"tables": str(demo_tables), "poll_seconds": 3600.0, "catalog_overlay": str(tmp_path / "overlay"),
              "event_log": str(tmp_path / "events"), "admin_keys": "other-admin-key-0001,admin-secret-key-0001",
              "overlay_poll_seconds": 3600.0, **settings}
    return TestClient(create_app(Settings.load(**values)), raise_server_exceptions=False)


@pytest.fixture
def client(demo_tables: Path, tmp_path: Path) -> Iterator[TestClient]:
    with overlay_client(demo_tables, tmp_path) as c:
        yield c


@pytest.fixture(scope="module")
def ids(demo_snapshot: Any) -> list[str]:
    """The demo's 20 best sellers."""
    items, _ = demo_snapshot.ranking("bestsellers", 0)
    return [demo_snapshot.external_id(int(i)) for i in items[:20]]
