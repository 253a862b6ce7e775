"""The trigger state's contract, on this machine (SQLite) and in the shared state store (Redis) alike."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from edge.notify.state import FAILED, INTENT, SENT, Activity, Consent, NotifyState
from tests.redis_server import RedisServer


@pytest.fixture(params=["sqlite", "redis"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    if request.param == "sqlite":
        yield NotifyState(tmp_path / "notify")
        return
    from edge.shared.client import SharedState
    from edge.shared.notify import SharedNotifyState

    server = RedisServer(tmp_path / "redis")
    try:
        shared = SharedNotifyState(SharedState(server.url, 2.0))
        yield shared
        shared.close()
    finally:
        server.stop()


def test_only_consenting_customers_gather_trigger_times(store: Any):
    store.apply([Consent("u1", b"sealed-1", 100.0)], [
        Activity("u1", "view", 110.0, "a"), Activity("u1", "cart", 120.0, "b"),
        Activity("u2", "cart", 130.0, "b"),  # no consent: not kept
        Activity("u1", "purchase", 140.0, "c", "o-1"), Activity("u1", "purchase", 140.0, "d", "o-1")])
    [row] = store.customers()
    assert (row.user, row.sealed, row.view_at, row.cart_at, row.order_at) == ("u1", b"sealed-1", 110.0, 120.0, 140.0)
    assert (row.order_id, row.order_items) == ("o-1", ["c", "d"])
    store.apply([], [Activity("u1", "view", 105.0, "z")])  # an older event never moves a time back
    assert next(iter(store.customers())).view_at == 110.0


def test_sends_withdrawal_and_erasure(store: Any):
    store.apply([Consent("u1", b"s", 1.0), Consent("u2", b"t", 1.0)], [])
    store.intend("u1:cart:1:klaviyo", "u1", 10.0)
    store.intend("u1:cart:1:webhook", "u1", 10.0)
    store.intend("u1:order:2:klaviyo", "u1", 11.0)
    assert store.status("u1:cart:1:klaviyo") == INTENT and store.status("nothing") is None
    store.mark("u1:cart:1:klaviyo", SENT, 12.0)
    store.mark("u1:order:2:klaviyo", FAILED, 12.0)
    assert store.status("u1:cart:1:klaviyo") == SENT
    assert store.sends_since("u1", 0.0) == 1  # one trigger over two destinations; refusals not counted
    store.intend("u1:cart:1:klaviyo", "u1", 99.0)  # an intent never overwrites a send
    assert store.status("u1:cart:1:klaviyo") == SENT
    assert store.prune(11.0) == 1 and store.prune(13.0) == 2  # by the time of the last change
    store.intend("u1:viewed:3:klaviyo", "u1", 20.0)
    store.apply([Consent("u1", None, 30.0)], [])  # withdrawn
    assert [c.user for c in store.customers()] == ["u2"]
    assert store.status("u1:viewed:3:klaviyo") is None and store.sends_since("u1", 0.0) == 0
    assert store.forget("u2") == 1 and store.forget("u2") == 0
    assert list(store.customers()) == []
