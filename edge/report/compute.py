"""The numbers behind ``skylt report`` and ``/dashboard``, as pure functions of log rows.

Units: an *impression* is one rendered slot of one recommend response (an ``impression``
event). A slot impression is *clicked* when a click names its ``request_id`` and slot; CTR is
clicked impressions over impressions, so it stays a proportion however often one render is
clicked; the slot's cart and purchase rates are likewise the share of its impressions that an
add-to-cart or a bought line names. A/B rates are per *shopper* (user, else session) exposed to
a bucket: the share who added to the cart, and who bought, at or after their first impression;
revenue per visitor is what a bucket's shoppers spent after exposure over all of them.

An order is counted once: when the shop's server reported it (a purchase without
``source: browser``) its lines are the order, and a browser's report of the same order only
lends them the session and the slot they came from. Revenue is quantity x unit price per line,
and is never added up across currencies.

Memory stays bounded by shoppers and by the renders events name, not by impressions: the
events are read first, so only the renders they name are kept.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path

import msgspec

from edge.events.schemas import StoredEvent as Event
from edge.events.schemas import StoredImpression as Impression
from edge.events.segments import IMPRESSIONS, segments
from edge.report.columns import scan_columns
from edge.report.load import load
from edge.report.scan import (
    EventsPart,
    ImpressionRow,
    ImpressionsPart,
    scan_events,
    scan_impressions,
    unit_keys,
)
from edge.report.stats import Lift, Mean, Rate, Srm, lift, mean, srm, welch, wilson

__all__ = ["Event", "Impression", "Lift", "Rate", "Report", "compute", "lift", "wilson"]

BUCKETS = ("personalized", "control")
DAY = 86400  # as edge/report/scan.py counts days


class Money(msgspec.Struct, kw_only=True):
    currency: str | None
    amount: float


class SlotRow(msgspec.Struct, kw_only=True):
    """One page and slot (and currency, when its purchases came in several: then the rows share the counts
    of impressions, clicks and carts, and each has its own purchases and revenue)."""

    page: str
    slot: str
    impressions: int
    clicks: int          # clicked impressions
    carts: int           # add-to-cart events that name one of the slot's renders
    purchases: int       # bought lines (one per order and line) that do
    revenue: float       # quantity x unit price of those lines
    currency: str | None
    ctr: Rate
    cart_rate: Rate
    purchase_rate: Rate


class BucketRevenue(msgspec.Struct, kw_only=True):
    currency: str | None
    revenue: float
    per_visitor: Mean


class BucketRow(msgspec.Struct, kw_only=True):
    bucket: str
    shoppers: int
    impressions: int
    ctr: Rate
    cart_rate: Rate
    purchase_rate: Rate  # the conversion rate
    revenue: list[BucketRevenue]


class Day(msgspec.Struct, kw_only=True):
    day: str             # UTC date
    impressions: int
    clicks: int
    carts: int
    purchases: int       # bought lines, attributed or not
    revenue: list[Money]


class Report(msgspec.Struct, kw_only=True):
    impressions: int
    clicks: int
    events: int
    orders: int
    slots: list[SlotRow]
    buckets: list[BucketRow]
    lift: dict[str, Lift]  # ctr, cart_rate, purchase_rate; absent without both buckets
    revenue_lift: dict[str, Lift]  # revenue per visitor, per currency ("" when none was reported)
    srm: Srm | None
    warnings: list[str]
    daily: list[Day]


def _day_text(day: int) -> str:
    import datetime as dt
    return (dt.date(1970, 1, 1) + dt.timedelta(days=day)).isoformat()


class _Days:
    def __init__(self) -> None:
        self.counts: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
        self.money: dict[int, dict[str | None, float]] = defaultdict(lambda: defaultdict(float))

    def rows(self) -> list[Day]:
        return [Day(day=_day_text(d), impressions=v[0], clicks=v[1], carts=v[2], purchases=v[3],
                    revenue=[Money(currency=c, amount=a) for c, a in sorted(self.money[d].items(),
                                                                            key=lambda x: x[0] or "")])
                for d, v in sorted(self.counts.items())]


def compute(impressions: Iterable[ImpressionRow], events: Iterable[Event], *,
            control_share: float | None = None) -> Report:
    """``control_share``: the split the server was told to make, for the sample-ratio check (None: no check)."""
    return combine(scan_events(events), scan_impressions(impressions), control_share=control_share)


def scan_dir(directory: str | Path, since: int | None, columns: bool = True) -> tuple[EventsPart, ImpressionsPart]:
    """Both passes over a log directory: the events first, then the impressions, by columns (pyarrow, on every
    core) when ``columns``, else row by row."""
    impressions, events = load(directory, since)
    events_part = scan_events(events)
    if not columns:
        return events_part, scan_impressions(impressions)
    return events_part, scan_columns(segments(Path(directory), IMPRESSIONS), events_part.named(), since)


def compute_dir(directory: str | Path, since: int | None = None, *, control_share: float | None = None,
                columns: bool = True) -> Report:
    """The report of a log directory; its impressions read by columns (pyarrow) unless ``columns`` is false."""
    return combine(*scan_dir(directory, since, columns), control_share=control_share)


def combine(ev: EventsPart, imp: ImpressionsPart, *, control_share: float | None = None) -> Report:
    days = _Days()
    for day, (n_clicks, n_carts) in ev.days.items():
        days.counts[day][1] += n_clicks
        days.counts[day][2] += n_carts
    clicks, carts, orders = ev.clicks, ev.carts, ev.orders
    lines = orders.lines()
    renders, where = imp.renders(ev.named())
    unit_of, exposed = imp.unit_of, imp.exposed
    per_slot: Counter[tuple[str, str]] = Counter()          # (page, slot) -> impressions
    per_bucket: Counter[str] = Counter()
    for (day, page, slot, bucket), n in imp.cells.items():
        per_slot[(page or "unknown", slot)] += n
        per_bucket[bucket or "personalized"] += n
        days.counts[day][0] += n
    total_impressions = sum(imp.cells.values())
    n_events, total_clicks = ev.n_events, ev.total_clicks

    def shopper_of(ts: int, keys: list[str]) -> str | None:
        found = next((unit_of[k] for k in keys if k in unit_of), None)
        return found if found is not None and ts >= exposed[found][1] else None

    # Per page and slot: [clicked, carts, renders carted, renders bought]; per (page, slot, currency): [lines, revenue]
    slot_counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    bought: dict[tuple[str, str, str | None], list[float]] = defaultdict(lambda: [0, 0.0])
    bucket_clicks: Counter[str] = Counter()
    for key, n in clicks.items():
        if key in where:
            page, bucket = where[key]
            clicked = min(n, renders[key])
            slot_counts[(page, key[1])][0] += clicked
            bucket_clicks[bucket] += clicked
    carted: set[tuple[str, str]] = set()
    converted: dict[str, set[str]] = {"cart": set(), "purchase": set()}
    for ts, user, session, cart_key in carts:
        if cart_key and cart_key in where:
            slot_counts[(where[cart_key][0], cart_key[1])][1] += 1
            carted.add(cart_key)
        if (shopper := shopper_of(ts, unit_keys(user, session))) is not None:
            converted["cart"].add(shopper)
    for key in carted:
        slot_counts[(where[key][0], key[1])][2] += 1
    paid: set[tuple[str, str]] = set()
    spent: dict[tuple[str, str | None], float] = defaultdict(float)   # (shopper, currency) -> revenue
    for line in lines:
        days.counts[line.ts // DAY][3] += 1
        days.money[line.ts // DAY][line.currency] += line.amount
        if line.key and line.key in where:
            row = bought[(where[line.key][0], line.key[1], line.currency)]
            row[0] += 1
            row[1] += line.amount
            paid.add(line.key)
        if (shopper := shopper_of(line.ts, line.units)) is not None:
            converted["purchase"].add(shopper)
            spent[(shopper, line.currency)] += line.amount
    for key in paid:
        slot_counts[(where[key][0], key[1])][3] += 1

    slots = _slot_rows(per_slot, slot_counts, bought)
    buckets, sums = _bucket_rows(exposed, per_bucket, bucket_clicks, converted, spent)
    by_name = {b.bucket: b for b in buckets}
    lifts: dict[str, Lift] = {}
    revenue_lift: dict[str, Lift] = {}
    if set(BUCKETS) <= set(by_name):
        treated, control = by_name["personalized"], by_name["control"]
        for metric in ("ctr", "cart_rate", "purchase_rate"):
            if (found := lift(getattr(treated, metric), getattr(control, metric))) is not None:
                lifts[metric] = found
        for currency in sorted({c for _, c in sums}, key=lambda c: c or ""):
            if (found := welch(sums[("personalized", currency)], sums[("control", currency)])) is not None:
                revenue_lift[currency or ""] = found
    split = None
    warnings = []
    if control_share is not None:
        split = srm(by_name["control"].shoppers if "control" in by_name else 0,
                    by_name["personalized"].shoppers if "personalized" in by_name else 0, control_share)
        if split is not None and split.broken:
            warnings.append(f"sample-ratio mismatch: {split.observed_control_share:.1%} of shoppers are in control, "
                            f"{split.expected_control_share:.1%} expected (p = {split.p_value:.2g}); the split is "
                            "broken, so the lift cannot be trusted: check caching and how the session is sent")
    return Report(impressions=total_impressions, clicks=total_clicks, events=n_events, orders=orders.count,
                  slots=slots, buckets=buckets, lift=lifts, revenue_lift=revenue_lift, srm=split,
                  warnings=warnings, daily=days.rows())


def _slot_rows(per_slot: Counter[tuple[str, str]], counts: dict[tuple[str, str], list[int]],
               bought: dict[tuple[str, str, str | None], list[float]]) -> list[SlotRow]:
    rows = []
    for (page, slot), n in sorted(per_slot.items()):
        clicked, n_carts, carted, paid = counts.get((page, slot), [0, 0, 0, 0])
        currencies = sorted((c for p, s, c in bought if (p, s) == (page, slot)), key=lambda c: c or "") or [None]
        for currency in currencies:
            lines, revenue = bought.get((page, slot, currency), [0, 0.0])
            rows.append(SlotRow(page=page, slot=slot, impressions=n, clicks=clicked, carts=n_carts,
                                purchases=int(lines), revenue=round(revenue, 2), currency=currency,
                                ctr=wilson(clicked, n), cart_rate=wilson(carted, n), purchase_rate=wilson(paid, n)))
    return rows


def _bucket_rows(exposed: dict[str, tuple[str, int]], per_bucket: Counter[str], bucket_clicks: Counter[str],
                 converted: dict[str, set[str]], spent: dict[tuple[str, str | None], float],
                 ) -> tuple[list[BucketRow], dict[tuple[str, str | None], tuple[int, float, float]]]:
    members: dict[str, set[str]] = defaultdict(set)
    for shopper, (bucket, _) in exposed.items():
        members[bucket].add(shopper)
    currencies = sorted({c for _, c in spent}, key=lambda c: c or "")
    sums: dict[tuple[str, str | None], tuple[int, float, float]] = {}
    for (shopper, currency), amount in spent.items():
        bucket = exposed[shopper][0]
        n, s, q = sums.get((bucket, currency), (0, 0.0, 0.0))
        sums[(bucket, currency)] = (n, s + amount, q + amount * amount)
    rows = []
    for bucket in BUCKETS:
        who = members.get(bucket, set())
        if not who and not per_bucket[bucket]:
            continue
        revenue = []
        for currency in currencies:
            _, s, q = sums.get((bucket, currency), (0, 0.0, 0.0))
            sums[(bucket, currency)] = (len(who), s, q)
            revenue.append(BucketRevenue(currency=currency, revenue=round(s, 2), per_visitor=mean(len(who), s, q)))
        rows.append(BucketRow(bucket=bucket, shoppers=len(who), impressions=per_bucket[bucket],
                              ctr=wilson(bucket_clicks[bucket], per_bucket[bucket]),
                              cart_rate=wilson(len(who & converted["cart"]), len(who)),
                              purchase_rate=wilson(len(who & converted["purchase"]), len(who)), revenue=revenue))
    for bucket in BUCKETS:
        for currency in currencies:
            sums.setdefault((bucket, currency), (len(members.get(bucket, set())), 0.0, 0.0))
    return rows, sums
