"""With `state_url`, consent, trigger times and sends live in Redis: the same run, once, and the same erasure."""

from __future__ import annotations

from tests.notify.conftest import FakeService, Shop
from tests.notify.test_klaviyo import left_cart
from tests.redis_server import RedisServer, redis_server  # noqa: F401 - shared fixture


def test_triggers_send_once_and_erase_through_the_shared_store(shop: Shop, klaviyo: FakeService,
                                                               redis_server: RedisServer):  # noqa: F811
    shop.env["state_url"] = redis_server.url
    now = left_cart(shop, "cust-redis")
    assert not (shop.root / "notify").exists()  # nothing on this machine
    assert shop.notify(now).sent == 1
    assert shop.notify(now + 60).sent == 0 and len(klaviyo.received) == 1
    assert klaviyo.received[0].json()["data"]["attributes"]["profile"]["data"]["attributes"]["external_id"] == \
        "cust-redis"
    assert shop.erase("cust-redis")["notify"] == 1
    import redis

    with redis.Redis.from_url(redis_server.url) as r:
        assert [k for k in r.keys("skylt:notify:*") if r.type(k) != b"none" and r.exists(k)] == []


def test_one_run_at_a_time_across_replicas(shop: Shop, klaviyo: FakeService,
                                           redis_server: RedisServer):  # noqa: F811
    import pytest

    from edge.errors import SkyltError
    from edge.notify.lock import one_run

    shop.env["state_url"] = redis_server.url
    now = left_cart(shop, "cust-lock")
    with one_run(shop.settings()), pytest.raises(SkyltError, match="another `skylt notify` is running"):
        shop.notify(now)
    assert klaviyo.received == [] and shop.notify(now).sent == 1
