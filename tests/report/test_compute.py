"""Report numbers against hand-computed small cases."""

import math

import pytest

from edge.report.compute import Event, Impression, compute, lift, wilson


def test_wilson_matches_the_textbook_values():
    # 8 of 10: Wilson 95 % interval (0.4902, 0.9433), by hand from the closed form.
    r = wilson(8, 10)
    assert r.rate == 0.8
    assert (round(r.low, 4), round(r.high, 4)) == (0.4902, 0.9433)
    zero = wilson(0, 20)
    assert zero.low == 0.0 and round(zero.high, 4) == 0.1611
    assert wilson(0, 0).n == 0 and (wilson(0, 0).low, wilson(0, 0).high) == (0.0, 1.0)


def test_lift_is_a_difference_of_proportions_with_a_normal_interval():
    found = lift(wilson(30, 100), wilson(20, 100))
    se = math.sqrt(0.3 * 0.7 / 100 + 0.2 * 0.8 / 100)
    assert found is not None
    assert found.diff == pytest.approx(0.1)
    assert (found.low, found.high) == pytest.approx((0.1 - 1.959964 * se, 0.1 + 1.959964 * se))
    assert found.relative == pytest.approx(0.5)
    assert lift(wilson(1, 10), wilson(0, 0)) is None
    assert lift(wilson(1, 10), wilson(0, 10)).relative is None


def imp(ts, rid, slot, session, bucket="personalized", page="home", user=None):
    return Impression(ts=ts, type="impression", request_id=rid, slot=slot, page=page, bucket=bucket, items=["A"],
                      session_id=session, user_id=user)


def test_a_small_log_by_hand():
    impressions = [
        imp(10, "r1", "for_you", "s1"), imp(10, "r1", "trending", "s1"),
        imp(20, "r2", "for_you", "s2"),
        imp(30, "r3", "similar", "s3", page="product"),
        imp(40, "r4", "for_you", "s4", bucket="control"), imp(40, "r4", "trending", "s4", bucket="control"),
        imp(50, "r5", "for_you", None, bucket="control", user="h5"),
    ]
    events = [
        Event(ts=11, type="click", item_id="A", session_id="s1", request_id="r1", slot="for_you"),
        Event(ts=12, type="click", item_id="A", session_id="s1", request_id="r1", slot="for_you"),  # same render
        Event(ts=13, type="cart", item_id="A", session_id="s1", request_id="r1", slot="for_you"),
        Event(ts=14, type="purchase", item_id="A", session_id="s1", order_id="o1", request_id="r1", slot="for_you"),
        Event(ts=5, type="cart", item_id="B", session_id="s2"),                 # before its first impression
        Event(ts=31, type="click", item_id="A", session_id="s3", request_id="r3", slot="similar"),
        Event(ts=32, type="cart", item_id="A", session_id="s3"),               # unattributed, still a conversion
        Event(ts=41, type="cart", item_id="C", session_id="s4"),
        Event(ts=51, type="purchase", item_id="C", user_id="h5", order_id="o5"),
        Event(ts=60, type="click", item_id="A", session_id="s9", request_id="zz", slot="for_you"),  # no render
        Event(ts=61, type="view", item_id="A", session_id="s9"),
    ]
    report = compute(impressions, events)
    assert (report.impressions, report.clicks, report.events) == (7, 4, 11)
    rows = {(r.page, r.slot): r for r in report.slots}
    assert list(rows) == [("home", "for_you"), ("home", "trending"), ("product", "similar")]
    home = rows[("home", "for_you")]
    # Renders r1, r2, r4, r5: one clicked (twice), one cart and one purchase named it.
    assert (home.impressions, home.ctr.hits, home.carts, home.purchases) == (4, 1, 1, 1)
    assert (rows[("product", "similar")].ctr.hits, rows[("product", "similar")].impressions) == (1, 1)
    by = {b.bucket: b for b in report.buckets}
    p, c = by["personalized"], by["control"]
    # Personalized shoppers s1, s2, s3: carts by s1 and s3 (s2's was before exposure), a purchase by s1.
    assert (p.shoppers, p.impressions, p.ctr.hits) == (3, 4, 2)
    assert (p.cart_rate.hits, p.purchase_rate.hits) == (2, 1)
    # Control shoppers s4, h5: s4 added to the cart, h5 bought.
    assert (c.shoppers, c.impressions, c.ctr.hits) == (2, 3, 0)
    assert (c.cart_rate.hits, c.purchase_rate.hits) == (1, 1)
    assert report.lift["cart_rate"].diff == pytest.approx(2 / 3 - 1 / 2)
    assert report.lift["purchase_rate"].relative == pytest.approx((1 / 3 - 1 / 2) / (1 / 2))


def test_a_shopper_is_one_unit_across_user_and_session():
    impressions = [imp(10, "r1", "for_you", "s1", user="h1"), imp(20, "r2", "for_you", "s2", user="h1")]
    events = [Event(ts=30, type="purchase", item_id="A", session_id="s2", order_id="o")]
    [row] = compute(impressions, events).buckets
    assert (row.shoppers, row.purchase_rate.hits) == (1, 1)


def test_no_control_traffic_means_no_lift():
    report = compute([imp(1, "r", "for_you", "s")], [])
    assert [b.bucket for b in report.buckets] == ["personalized"] and report.lift == {}
