"""A known customer's profile read and a small batch's update: the local LMDB store against Redis on loopback
(`state_url`). The request path makes exactly one such read per known customer and none for anonymous ones."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from edge.profiles.store import ProfileStore
from edge.shared.client import SharedState
from edge.shared.profiles import SharedProfileStore
from tests.redis_server import RedisServer

USERS = 1000


@pytest.fixture(scope="module", params=["lmdb", "redis"])
def profiles(request: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    root: Path = tmp_path_factory.mktemp(request.param)
    server = RedisServer(root / "redis") if request.param == "redis" else None
    store: Any = (SharedProfileStore(SharedState(server.url)) if server is not None else ProfileStore(root / "lmdb"))
    store.update([(f"u{n}", "view", f"i{k}") for n in range(USERS) for k in range(20)])
    try:
        yield store
    finally:
        store.close()
        if server is not None:
            server.stop()


def test_profile_read(benchmark: Any, profiles: Any) -> None:
    count = iter(range(1 << 62))
    assert benchmark(lambda: profiles.raw(f"u{next(count) % USERS}")) is not None


def test_profile_update(benchmark: Any, profiles: Any) -> None:
    count = iter(range(1 << 62))

    def update() -> int:
        user = f"u{next(count) % USERS}"
        return int(profiles.update([(user, "view", "x"), (user, "cart", "y")]))

    assert benchmark(update) == 1
