"""The webhook state: delivery claims and the inventory item -> product stock arithmetic."""

from __future__ import annotations

from edge.shopify.state import CLAIM_TIMEOUT, DELIVERY_DAYS, FILE, Variant, WebhookState

SHOP = "a.myshopify.com"


def test_a_delivery_is_done_only_once_applied_and_forgotten_after_the_retry_window(tmp_path):
    state = WebhookState(tmp_path)
    assert state.claim("w1", "orders/create", SHOP, now=1000.0) == "claimed"
    assert state.claim("w1", "orders/create", SHOP, now=1001.0) == "busy"  # being applied right now
    state.release("w1")  # it failed
    assert state.claim("w1", "orders/create", SHOP, now=1002.0) == "claimed"
    state.done("w1", now=1003.0)
    assert state.claim("w1", "orders/create", SHOP, now=1004.0) == "done"
    state.release("w1")  # a done delivery stays done
    assert state.claim("w1", "orders/create", SHOP, now=1005.0 + CLAIM_TIMEOUT) == "done"
    assert state.claim("w2", "orders/create", SHOP, now=1004.0 + DELIVERY_DAYS * 86400) == "claimed"  # prunes w1
    assert state.claim("w1", "orders/create", SHOP, now=1004.0 + DELIVERY_DAYS * 86400) == "claimed"


def test_a_claim_left_by_a_worker_that_stopped_mid_way_is_taken_over_once_stale(tmp_path):
    state = WebhookState(tmp_path)
    assert state.claim("w1", "customers/redact", SHOP, now=1000.0) == "claimed"  # and the worker dies
    assert state.claim("w1", "customers/redact", SHOP, now=1000.0 + CLAIM_TIMEOUT - 1) == "busy"
    assert state.claim("w1", "customers/redact", SHOP, now=1001.0 + CLAIM_TIMEOUT) == "claimed"
    # The takeover restarts the clock: a second retry right after it waits for it.
    assert state.claim("w1", "customers/redact", SHOP, now=1002.0 + CLAIM_TIMEOUT) == "busy"


def test_ids_an_older_skylt_claimed_count_as_done_and_the_file_is_private(tmp_path):
    import os
    import sqlite3
    import stat
    from contextlib import closing

    old = os.umask(0)
    try:
        db = sqlite3.connect(tmp_path / FILE)  # the schema before claims could be in progress, world-readable
        db.execute("CREATE TABLE deliveries (id TEXT PRIMARY KEY, topic TEXT, shop TEXT, at REAL NOT NULL)")
        db.execute("INSERT INTO deliveries VALUES ('w0', 'orders/create', ?, 1000.0)", (SHOP,))
        db.commit()
        db.close()
        assert stat.S_IMODE((tmp_path / FILE).stat().st_mode) == 0o644
        state = WebhookState(tmp_path)
        assert state.claim("w0", "orders/create", SHOP, now=1000.0 + CLAIM_TIMEOUT + 1) == "done"
        assert state.claim("w9", "orders/create", SHOP, now=1000.0) == "claimed"
        assert stat.S_IMODE((tmp_path / FILE).stat().st_mode) == 0o600
        fresh = tmp_path / "fresh" / "state"
        state = WebhookState(fresh)
        # The -wal and -shm files live while a connection is open (the last one to close removes them).
        with closing(sqlite3.connect(fresh / FILE)) as reader:
            reader.execute("SELECT COUNT(*) FROM deliveries").fetchone()
            state.claim("w1", "orders/create", SHOP)
            assert stat.S_IMODE(fresh.stat().st_mode) == 0o700
            for name in (FILE, f"{FILE}-wal", f"{FILE}-shm"):
                assert stat.S_IMODE((fresh / name).stat().st_mode) == 0o600, name
    finally:
        os.umask(old)


def test_forget_customer_deletes_that_customers_order_rows_in_every_shop(tmp_path):
    state = WebhookState(tmp_path)
    state.remember_order(SHOP, "1", "h-ann")
    state.remember_order("b.myshopify.com", "2", "h-ann")
    state.remember_order(SHOP, "3", "h-bob")
    state.remember_order(SHOP, "4", None)
    assert state.forget_customer("h-ann") == 2
    assert state.customer_orders(SHOP, "h-ann") == [] and state.customer_orders("b.myshopify.com", "h-ann") == []
    assert state.shop_people(SHOP) == ({"3", "4"}, {"h-bob"})


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
