"""The Shopify install with ``state_url``: the install tests (tests/shopify/test_install_e2e.py) pass with the tokens,
install states and refresh lock in Redis; an install whose callback reaches another replica succeeds; a state is
taken once across replicas; one refresh at a time across replicas; a Redis that is down answers 503."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

import tests.shopify.test_install_e2e as local
from edge.shared.client import SharedState
from edge.shared.install import SharedInstallStates, SharedTokenStore
from edge.shopify import oauth
from edge.shopify.access import AppAccess
from edge.shopify.nonces import STATE_SECONDS
from edge.shopify.tokens import TokenError, Tokens
from edge.shopify.verify import signature
from tests.conftest import assert_problem
from tests.shopify.conftest import SHOP
from tests.shopify.test_install_e2e import CLIENT_SECRET, SECRET_KEY, callback, client, fake, first_import, start

__all__ = ["client", "fake"]  # the install tests' fixtures, here with state_url

SHARED = [local.test_install_link_redirects_to_the_consent_screen_with_a_state_bound_to_the_browser,
          local.test_a_reinstall_updates_the_pixel_and_keeps_one_subscription_per_topic,
          local.test_a_callback_not_signed_by_the_app_is_refused_and_leaves_the_state_usable,
          local.test_wrong_reused_foreign_or_cookieless_states_are_refused,
          local.test_without_protected_data_access_the_rest_is_set_up_and_the_answer_says_what_to_do,
          local.test_a_second_days_sync_refreshes_the_expired_token]


@pytest.fixture(autouse=True)
def shared(redis_server: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The install tests' settings with state_url, and their token store the shared one."""
    settings = local.install_settings

    def with_state_url(*args: Any, **extra: Any) -> dict[str, Any]:
        return settings(*args, state_url=redis_server.url, **extra)

    class Shared:
        @staticmethod
        def under(directory: Path, secret_key: str = "") -> SharedTokenStore:
            return SharedTokenStore(SharedState(redis_server.url), secret_key)

    monkeypatch.setattr(local, "install_settings", with_state_url)
    monkeypatch.setattr(local, "TokenStore", Shared)
    yield redis_server


def store(redis_server: Any) -> SharedTokenStore:
    return SharedTokenStore(SharedState(redis_server.url), SECRET_KEY)


def replica(shop_tables: Path, directory: Path, fake: Any) -> TestClient:
    from edge.config import Settings
    from edge.serve.app import create_app

    app = create_app(Settings.load(**local.install_settings(shop_tables, directory, fake)))
    return TestClient(app, raise_server_exceptions=False, follow_redirects=False)


@pytest.mark.parametrize("test", SHARED, ids=lambda t: t.__name__)
def test_the_install_tests_pass_with_the_shared_store(test, client, fake, tmp_path, monkeypatch):
    arguments = {"client": client, "fake": fake, "tmp_path": tmp_path, "monkeypatch": monkeypatch, "tamper": "stale"}
    test(**{name: arguments[name] for name in test.__code__.co_varnames[:test.__code__.co_argcount]})
    assert not (tmp_path / "shopify").exists()  # nothing of the install on this replica's disk


def test_an_install_whose_callback_reaches_another_replica_succeeds(shop_tables, tmp_path, fake, shared):
    with replica(shop_tables, tmp_path / "a", fake) as a, replica(shop_tables, tmp_path / "b", fake) as b:
        state = start(a)
        response = callback(b, state, fake.approve())
        assert response.status_code == 302, response.text
        first_import(b)
        stored = store(shared).load(SHOP)
        assert stored.access_token in fake.tokens
        with SharedState(shared.url).call("test") as r:
            sealed = r.get(f"skylt:shopify:token:{SHOP}")
            assert stored.access_token.encode() not in sealed and stored.refresh_token.encode() not in sealed
        assert_problem(callback(a, state, fake.approve()), 400)  # taken by b, for every replica
        assert not (tmp_path / "a" / "shopify").exists() and not (tmp_path / "b" / "shopify").exists()

        body = b'{"id": 1}'  # the uninstall reaching replica a deletes what b stored
        uninstalled = a.post("/v1/shopify/webhooks", content=body, headers={
            "Content-Type": "application/json", "X-Shopify-Topic": "app/uninstalled", "X-Shopify-Shop-Domain": SHOP,
            "X-Shopify-Hmac-Sha256": signature(body, CLIENT_SECRET)})
        assert uninstalled.status_code == 200, uninstalled.text
        with pytest.raises(TokenError, match="no Admin API token"):
            store(shared).load(SHOP)


def test_a_state_is_taken_once_across_replicas_and_not_for_another_shop_or_late(shared):
    one, two = (SharedInstallStates(SharedState(shared.url)) for _ in range(2))
    state = one.issue(SHOP, now=1000.0)
    assert not two.take(state, "other-shop.myshopify.com", now=1001.0)
    assert not two.take(state, SHOP, now=1000.0 + STATE_SECONDS + 1)
    assert two.take(state, SHOP, now=1001.0)
    assert not one.take(state, SHOP, now=1002.0) and not two.take(state, SHOP, now=1002.0)

    states = [one.issue(SHOP) for _ in range(20)]
    taken: list[bool] = []
    racers = [threading.Thread(target=lambda s=s: taken.extend(s.take(x, SHOP) for x in states)) for s in (one, two)]
    for t in racers:
        t.start()
    for t in racers:
        t.join(30)
    assert taken.count(True) == len(states) and len(taken) == 2 * len(states)
    with SharedState(shared.url).call("test") as r:
        ttl = r.pttl(f"skylt:shopify:install-state:{one.issue(SHOP)}")
    assert 0 < ttl <= STATE_SECONDS * 1000  # Redis forgets what is never taken


def test_replicas_refresh_a_token_one_at_a_time(shared, monkeypatch):
    one, two = store(shared), store(shared)
    one.save(SHOP, Tokens(access_token="shpat_old", expires_at=0.0, refresh_token="shprt_old",
                          refresh_expires_at=1e12))
    refreshed: list[str] = []

    def refresh(base: str, client_id: str, secret: str, tokens: Tokens, timeout: float = 30.0) -> Tokens:
        refreshed.append(tokens.refresh_token)
        n = len(refreshed)
        return Tokens(access_token=f"shpat_new{n}", expires_at=1e12, refresh_token=f"shprt_new{n}",
                      refresh_expires_at=1e12)

    monkeypatch.setattr(oauth, "refresh", refresh)
    answers: list[str] = []
    accesses = [AppAccess("client", "secret", "https://x", s) for s in (one, two)]
    with one.locked(SHOP):  # both replicas find the token expiring and wait for the lock
        workers = [threading.Thread(target=lambda a=a: answers.append(a.token(SHOP))) for a in accesses]
        for t in workers:
            t.start()
    for t in workers:
        t.join(30)
    assert refreshed == ["shprt_old"] and answers == ["shpat_new1", "shpat_new1"]


def test_a_lock_that_expired_and_was_taken_by_another_is_not_released_by_its_first_holder(shared, monkeypatch):
    import edge.shared.install as install
    from edge.errors import StateUnavailableError

    one, two = store(shared), store(shared)
    key = f"skylt:shopify:refresh-lock:{SHOP}"
    first = one.locked(SHOP)
    first.__enter__()
    r = SharedState(shared.url).client
    assert 0 < r.pttl(key) <= install.LOCK_MS
    r.delete(key)  # as if it expired while one's refresh hung
    with two.locked(SHOP):
        held_by_two = r.get(key)
        first.__exit__(None, None, None)  # one's late release
        assert r.get(key) == held_by_two is not None
        monkeypatch.setattr(install, "LOCK_WAIT_SECONDS", 0.0)
        with pytest.raises(StateUnavailableError, match="another replica"), one.locked(SHOP):
            pass
    assert r.get(key) is None


def test_without_redis_install_and_callback_answer_503(shop_tables, tmp_path, fake, shared):
    with replica(shop_tables, tmp_path, fake) as c:
        state = start(c)
        shared.stop()
        assert assert_problem(c.get("/v1/shopify/install", params={"shop": SHOP}), 503)["type"].endswith(
            "/state-unavailable")
        assert assert_problem(callback(c, state, fake.approve()), 503)["type"].endswith("state-unavailable")
        assert not fake.grants  # no code exchanged: the state could not be taken
