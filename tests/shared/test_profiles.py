"""Profiles in Redis behave as the LMDB store does: bounded records, expiry, the cap, erasure, one salt for all."""

from __future__ import annotations

import threading
import time

import pytest

from edge.errors import StateUnavailableError
from edge.profiles.store import MAX_VIEWS, Profile
from edge.shared.client import SharedState
from edge.shared.profiles import BY_TIME, PROFILE, SharedProfileStore
from tests.waiting import wait_until


def store(url: str, **kwargs) -> SharedProfileStore:
    return SharedProfileStore(SharedState(url, timeout=1.0), **kwargs)


def test_updates_are_read_back_bounded_and_in_order(redis_server):
    profiles = store(redis_server.url)
    user = profiles.key("alice")
    changes = [(user, "view", f"i{n}") for n in range(MAX_VIEWS + 5)] + [(user, "cart", "a"), (user, "cart", "b"),
                                                                          (user, "purchase", "a")]
    assert profiles.update(changes) == 1
    got = profiles.get(user)
    assert got == Profile(views=[f"i{n}" for n in range(5, MAX_VIEWS + 5)], cart=["b"], purchases=["a"])
    assert profiles.raw(profiles.key("bob")) is None
    assert profiles.count() == 1


def test_every_store_on_the_server_hashes_ids_with_one_salt(redis_server):
    first, second = store(redis_server.url), store(redis_server.url)
    assert first.salt == second.salt and len(first.salt) == 32
    assert first.key("alice") == second.key("alice") != first.key("bob")
    first.update([(first.key("alice"), "view", "x")])
    assert second.get(second.key("alice")) == Profile(views=["x"])


def test_a_profile_not_updated_for_ttl_days_is_gone_and_swept_from_the_index(redis_server):
    then = time.time() - 2 * 86_400
    old = store(redis_server.url, ttl_days=1.0, clock=lambda: then)
    old.update([("stale", "view", "x")])
    fresh = store(redis_server.url, ttl_days=1.0)
    fresh.update([("fresh", "view", "y")])
    assert fresh.raw("stale") is None and fresh.get("fresh") == Profile(views=["y"])
    assert fresh.count() == 1  # the update swept the index entry of the expired one


def test_beyond_max_profiles_the_least_recently_updated_are_evicted(redis_server):
    now = [1_000.0]
    profiles = store(redis_server.url, max_profiles=3, ttl_days=1e6, clock=lambda: now[0])
    for user in ("a", "b", "c", "d"):
        now[0] += 1
        profiles.update([(user, "view", "x")])
    now[0] += 1
    profiles.update([("b", "view", "y"), ("e", "view", "z")])  # b refreshed, a then c evicted
    assert profiles.count() == 3
    assert [u for u in "abcde" if profiles.raw(u) is not None] == ["b", "d", "e"]


def test_erase_deletes_the_profile_and_its_index_entry(redis_server):
    profiles = store(redis_server.url)
    profiles.update([("u1", "view", "x"), ("u2", "view", "y")])
    assert profiles.erase("u1") == 1 and profiles.erase("u1") == 0
    assert profiles.raw("u1") is None and profiles.count() == 1
    with SharedState(redis_server.url).call("test") as r:
        assert r.zscore(BY_TIME, "u1") is None and r.exists(PROFILE + "u1") == 0


def test_concurrent_batches_for_one_customer_lose_no_event(redis_server):
    stores = [store(redis_server.url) for _ in range(4)]

    def write(n: int) -> None:
        for k in range(10):
            stores[n].update([("shared", "view", f"{n}-{k}")])

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    got = stores[0].get("shared")
    assert got is not None and sorted(got.views) == sorted(f"{n}-{k}" for n in range(4) for k in range(10))


def test_a_store_that_is_down_fails_fast_and_the_salt_comes_when_it_is_back(redis_server):
    errors: list[str] = []
    redis_server.stop()
    profiles = SharedProfileStore(SharedState(redis_server.url, timeout=1.0, on_error=errors.append))
    started = time.monotonic()
    with pytest.raises(StateUnavailableError):
        profiles.key("alice")  # no salt yet
    with pytest.raises(StateUnavailableError):
        profiles.raw("anyone")
    with pytest.raises(StateUnavailableError):
        profiles.update([("anyone", "view", "x")])
    assert time.monotonic() - started < 1.0
    assert errors == ["salt", "salt", "read", "write"]


def test_a_local_salt_is_offered_to_a_store_that_has_none_and_never_replaces_its_own(redis_server):
    local = bytes(range(32))
    first = store(redis_server.url, seed=local)
    assert first.salt == local  # the ids in this replica's event log keep their hashes
    assert store(redis_server.url, seed=bytes(32)).salt == local


def test_a_store_that_hangs_costs_a_read_at_most_the_timeout_then_nothing_until_it_answers(redis_server):
    import signal

    profiles = SharedProfileStore(SharedState(redis_server.url, timeout=0.2))
    profiles.update([("u", "view", "x")])
    redis_server.proc.send_signal(signal.SIGSTOP)
    try:
        started = time.monotonic()
        with pytest.raises(StateUnavailableError):
            profiles.raw("u")
        hung = time.monotonic() - started
        started = time.monotonic()
        for _ in range(100):
            with pytest.raises(StateUnavailableError):
                profiles.raw("u")
        assert hung < 0.5 and time.monotonic() - started < 0.05, hung
    finally:
        redis_server.proc.send_signal(signal.SIGCONT)
    def answered() -> Profile | None:
        try:
            return profiles.get("u")
        except StateUnavailableError:
            return None

    # Answered again once the retry pause is over.
    assert wait_until(answered, timeout=5, what="the store answering again") == Profile(views=["x"])
