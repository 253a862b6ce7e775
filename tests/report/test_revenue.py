"""Revenue, orders counted once, currencies kept apart, the split check and the daily series, by hand."""

import math
import statistics

import pytest

from edge.report.compute import Event, Impression, compute
from edge.report.stats import srm, t95, welch

DAY1, DAY2 = 1_790_000_000 - 1_790_000_000 % 86400, 1_790_000_000 - 1_790_000_000 % 86400 + 86400


def imp(ts, rid, slot, session, bucket="personalized", page="product"):
    return Impression(ts=ts, type="impression", request_id=rid, slot=slot, page=page, bucket=bucket, items=["A"],
                      session_id=session)


def buy(ts, order, item, qty, price, currency, session=None, rid=None, slot=None, browser=False):
    return Event(ts=ts, type="purchase", item_id=item, order_id=order, quantity=qty, price=price, currency=currency,
                 session_id=session, request_id=rid, slot=slot, source="browser" if browser else None)


IMPRESSIONS = [
    imp(DAY1 + 10, "r1", "similar", "s1"), imp(DAY1 + 10, "r2", "similar", "s2"),
    imp(DAY1 + 10, "r3", "similar", "s3", bucket="control"), imp(DAY1 + 10, "r5", "similar", "s5", bucket="control"),
    imp(DAY1 + 10, "r4", "for_you", "s4", page="home"),
]
EVENTS = [
    Event(ts=DAY1 + 20, type="click", item_id="A", session_id="s1", request_id="r1", slot="similar"),
    Event(ts=DAY1 + 21, type="cart", item_id="A", session_id="s1", request_id="r1", slot="similar"),
    # Order o1, reported by the browser (with the slot) and by the server (the booked lines, no session).
    buy(DAY1 + 30, "o1", "A", 2, 10.0, "EUR", session="s1", rid="r1", slot="similar", browser=True),
    buy(DAY1 + 31, "o1", "A", 2, 10.0, "EUR"),
    buy(DAY1 + 31, "o1", "B", 1, 5.0, "EUR"),
    # Order o2: the server forwarded the session and the touch itself; paid in dollars.
    Event(ts=DAY1 + 40, type="click", item_id="C", session_id="s2", request_id="r2", slot="similar"),
    buy(DAY2 + 5, "o2", "C", 1, 30.0, "USD", session="s2", rid="r2", slot="similar"),
    # Order o3: a control shopper, nothing attributed.
    buy(DAY2 + 6, "o3", "D", 1, 8.0, "EUR", session="s3"),
    # Order o4: only the browser reported it; the report still attributes it.
    buy(DAY2 + 7, "o4", "E", 1, 4.0, "EUR", session="s4", rid="r4", slot="for_you", browser=True),
]


def test_every_number_of_a_hand_made_log():
    report = compute(IMPRESSIONS, EVENTS, control_share=0.5)
    assert (report.impressions, report.clicks, report.events, report.orders) == (5, 2, 9, 4)
    rows = [(r.page, r.slot, r.currency, r.impressions, r.clicks, r.carts, r.purchases, r.revenue)
            for r in report.slots]
    assert rows == [("home", "for_you", "EUR", 1, 0, 0, 1, 4.0),
                    # o1's line A counted once (20 EUR, not 40); B was not from the slot. Two currencies, two rows.
                    ("product", "similar", "EUR", 4, 2, 1, 1, 20.0),
                    ("product", "similar", "USD", 4, 2, 1, 1, 30.0)]
    similar = report.slots[1]
    assert (similar.ctr.hits, similar.cart_rate.hits, similar.purchase_rate.hits, similar.purchase_rate.n) == \
        (2, 1, 2, 4)

    by = {b.bucket: b for b in report.buckets}
    p, c = by["personalized"], by["control"]
    assert (p.shoppers, p.purchase_rate.hits, p.cart_rate.hits) == (3, 3, 1)
    assert (c.shoppers, c.purchase_rate.hits) == (2, 1)
    p_eur, p_usd = p.revenue
    assert (p_eur.currency, p_eur.revenue, p_usd.currency, p_usd.revenue) == ("EUR", 29.0, "USD", 30.0)
    # Per visitor: s1 spent 25 EUR (o1), s4 4 EUR (o4), s2 nothing in EUR.
    assert p_eur.per_visitor.mean == pytest.approx(29 / 3)
    half = t95(2) * statistics.stdev([25, 4, 0]) / math.sqrt(3)
    assert (p_eur.per_visitor.low, p_eur.per_visitor.high) == pytest.approx((29 / 3 - half, 29 / 3 + half))
    assert [r.per_visitor.mean for r in c.revenue] == [4.0, 0.0]  # s3 8 EUR, s5 nothing
    eur = report.revenue_lift["EUR"]
    a, b = statistics.variance([25, 4, 0]) / 3, statistics.variance([8, 0]) / 2
    df = (a + b) ** 2 / (a * a / 2 + b * b / 1)
    assert eur.diff == pytest.approx(29 / 3 - 4)
    assert eur.high - eur.diff == pytest.approx(t95(df) * math.sqrt(a + b))
    assert eur.relative == pytest.approx((29 / 3 - 4) / 4)
    usd = report.revenue_lift["USD"]  # never mixed with euros; no control shopper paid in dollars
    assert (usd.diff, usd.relative) == (10.0, None)
    assert report.srm is not None and not report.srm.broken and report.warnings == []
    assert (report.srm.control, report.srm.personalized) == (2, 3)
    assert report.srm.p_value == pytest.approx(math.erfc(math.sqrt(0.2 / 2)))

    assert [(d.impressions, d.clicks, d.carts, d.purchases) for d in report.daily] == [(5, 2, 1, 2), (0, 0, 0, 3)]
    assert [(m.currency, m.amount) for m in report.daily[0].revenue] == [("EUR", 25.0)]
    assert [(m.currency, m.amount) for m in report.daily[1].revenue] == [("EUR", 12.0), ("USD", 30.0)]


def test_a_broken_split_warns():
    impressions = [imp(DAY1, f"r{i}", "similar", f"s{i}") for i in range(60)] + \
        [imp(DAY1, f"c{i}", "similar", f"c{i}", bucket="control") for i in range(20)]
    report = compute(impressions, [], control_share=0.5)
    assert report.srm is not None and report.srm.broken
    assert report.srm.p_value == pytest.approx(math.erfc(math.sqrt(20.0 / 2)))  # (60-40)²/40 * 2 = 20
    assert "sample-ratio mismatch" in report.warnings[0] and "25.0%" in report.warnings[0]
    assert not compute(impressions, [], control_share=0.25).warnings
    assert compute(impressions, []).srm is None  # no expected share, no check
    assert srm(1, 99, 0.0) is not None and srm(1, 99, 0.0).broken  # a control shopper with no experiment


def test_t_quantiles_and_welch_edges():
    assert t95(10) == pytest.approx(2.228139, abs=2e-3) and t95(30) == pytest.approx(2.042272, abs=1e-4)
    assert t95(1e9) == pytest.approx(1.959964)
    assert welch((1, 5.0, 25.0), (10, 0.0, 0.0)) is None
