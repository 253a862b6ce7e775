"""The Shopify webhook state in Redis passes the same tests as the SQLite one (tests/shopify/test_state.py, run
here against the shared store), and what one replica records another reads."""

from __future__ import annotations

import pytest

import tests.shopify.test_state as local
from edge.shared.client import SharedState
from edge.shared.shopify import SharedWebhookState
from edge.shopify.state import Variant

SHARED = [local.test_a_delivery_is_done_only_once_applied_and_forgotten_after_the_retry_window,
          local.test_a_claim_left_by_a_worker_that_stopped_mid_way_is_taken_over_once_stale,
          local.test_forget_customer_deletes_that_customers_order_rows_in_every_shop,
          local.test_stock_is_the_sum_of_reported_locations_and_a_product_payload_starts_over,
          local.test_untracked_and_oversold_variants_always_sell]


@pytest.mark.parametrize("test", SHARED, ids=lambda t: t.__name__)
def test_the_local_state_tests_pass_on_the_shared_store(test, redis_server, tmp_path, monkeypatch):
    monkeypatch.setattr(local, "WebhookState", lambda directory: SharedWebhookState(SharedState(redis_server.url)))
    test(tmp_path)


def test_replicas_share_claims_stock_orders_and_installs_and_a_redacted_shop_leaves_nothing(redis_server):
    one, two = (SharedWebhookState(SharedState(redis_server.url)) for _ in range(2))
    shop, other = "a.myshopify.com", "b.myshopify.com"
    assert one.claim("w1", "orders/create", shop, now=1000.0) == "claimed"
    assert two.claim("w1", "orders/create", shop, now=1001.0) == "busy"
    one.done("w1", now=1002.0)
    assert two.claim("w1", "orders/create", shop, now=1003.0) == "done"
    one.save_product(shop, "7", True, [Variant("i1", "v1", tracked=True, sells_unstocked=False, quantity=1)])
    assert two.set_level(shop, "i1", "loc", 0) == ("7", True, False)
    assert one.remember_order(shop, "o1", "h-ann")
    assert two.remember_order(shop, "o1", "h-ann")  # its logging never finished: a retry logs it
    two.order_logged(shop, "o1")
    assert not one.remember_order(shop, "o1", "h-ann")
    one.remember_order(other, "o2", "h-ann")
    one.uninstalled(shop, 5.0)
    assert two.uninstalled_at(shop) == 5.0
    two.forget_shop(shop)
    assert one.uninstalled_at(shop) is None and one.shop_people(shop) == (set(), set())
    assert one.set_level(shop, "i1", "loc", 3) is None
    assert one.customer_orders(other, "h-ann") == ["o2"] and one.customer_orders(shop, "h-ann") == []
    assert one.claim("w1", "orders/create", shop, now=1004.0) == "claimed"  # its deliveries were forgotten
    with SharedState(redis_server.url).call("test") as r:
        assert not [k for k in r.scan_iter(match="skylt:shopify:shop:a.myshopify.com:*")]
