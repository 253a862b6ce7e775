"""The webhook state: delivery claims and the inventory item -> product stock arithmetic."""

from __future__ import annotations

from edge.shopify.state import DELIVERY_DAYS, Variant, WebhookState

SHOP = "a.myshopify.com"


def test_a_delivery_is_claimed_once_released_on_failure_and_forgotten_after_the_retry_window(tmp_path):
    state = WebhookState(tmp_path)
    assert state.claim("w1", "orders/create", SHOP, now=1000.0)
    assert not state.claim("w1", "orders/create", SHOP, now=1001.0)
    state.release("w1")
    assert state.claim("w1", "orders/create", SHOP, now=1002.0)
    assert state.claim("w2", "orders/create", SHOP, now=1002.0 + DELIVERY_DAYS * 86400 + 1)  # prunes w1
    assert state.claim("w1", "orders/create", SHOP, now=1003.0 + DELIVERY_DAYS * 86400 + 1)


def test_stock_is_the_sum_of_reported_locations_and_a_product_payload_starts_over(tmp_path):
    state = WebhookState(tmp_path)
    state.save_product(SHOP, "7", True, [Variant("i1", "v1", tracked=True, sells_unstocked=False, quantity=4),
                                         Variant("i2", "v2", tracked=True, sells_unstocked=False, quantity=0)])
    assert state.set_level(SHOP, "i1", "loc-a", 0) == ("7", True, False)   # the only sellable variant ran out
    assert state.set_level(SHOP, "i1", "loc-b", 2) == ("7", True, True)    # another location has some
    assert state.set_level(SHOP, "i2", "loc-a", 1) == ("7", True, True)
    assert state.set_level(SHOP, "i1", "loc-b", 0) == ("7", True, True)    # i2 still sells
    assert state.set_level(SHOP, "i2", "loc-a", 0) == ("7", True, False)
    # A product payload's totals replace the levels heard so far.
    state.save_product(SHOP, "7", False, [Variant("i1", "v1", tracked=True, sells_unstocked=False, quantity=0)])
    assert state.set_level(SHOP, "i1", "loc-a", 3) == ("7", False, True)
    assert state.set_level(SHOP, "i2", "loc-a", 3) is None  # no longer a variant of any product
    assert state.set_level("other.myshopify.com", "i1", "loc-a", 3) is None  # shops are kept apart


def test_untracked_and_oversold_variants_always_sell(tmp_path):
    state = WebhookState(tmp_path)
    state.save_product(SHOP, "8", True, [Variant("i3", "v3", tracked=False, sells_unstocked=False, quantity=0)])
    state.save_product(SHOP, "9", True, [Variant("i4", "v4", tracked=True, sells_unstocked=True, quantity=0)])
    assert state.set_level(SHOP, "i3", "loc", -2) == ("8", True, True)
    assert state.set_level(SHOP, "i4", "loc", -2) == ("9", True, True)
