"""The numbers behind ``skylt report`` and ``/dashboard``, as pure functions of log rows.

Units: an *impression* is one rendered slot of one recommend response (an ``impression``
event). A slot impression is *clicked* when a click names its ``request_id`` and slot; CTR is
clicked impressions over impressions, so it stays a proportion however often one render is
clicked. A/B rates are per *shopper* (user, else session) exposed to a bucket: the share who
added to the cart, and who bought, at or after their first impression. Rates get 95 % Wilson
intervals; the lift (personalized minus control) a normal-approximation interval for the
difference of two proportions.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable

import msgspec

from edge.events.schemas import StoredEvent as Event
from edge.events.schemas import StoredImpression as Impression

Z95 = 1.959963984540054
BUCKETS = ("personalized", "control")


class Rate(msgspec.Struct, kw_only=True):
    hits: int
    n: int
    rate: float
    low: float
    high: float


class Lift(msgspec.Struct, kw_only=True):
    diff: float          # personalized rate minus control rate
    low: float
    high: float
    relative: float | None  # diff over the control rate


class SlotRow(msgspec.Struct, kw_only=True):
    page: str
    slot: str
    impressions: int
    ctr: Rate
    carts: int           # add-to-cart events that name one of the slot's renders
    purchases: int       # purchase events that do


class BucketRow(msgspec.Struct, kw_only=True):
    bucket: str
    shoppers: int
    impressions: int
    ctr: Rate
    cart_rate: Rate
    purchase_rate: Rate


class Report(msgspec.Struct, kw_only=True):
    impressions: int
    clicks: int
    events: int
    slots: list[SlotRow]
    buckets: list[BucketRow]
    lift: dict[str, Lift]  # ctr, cart_rate, purchase_rate; absent without both buckets


def wilson(hits: int, n: int, z: float = Z95) -> Rate:
    """The Wilson score interval: sound for small n and for rates near 0 or 1."""
    if n <= 0:
        return Rate(hits=0, n=0, rate=0.0, low=0.0, high=1.0)
    p = hits / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return Rate(hits=hits, n=n, rate=p, low=max(0.0, centre - half), high=min(1.0, centre + half))


def lift(treated: Rate, control: Rate, z: float = Z95) -> Lift | None:
    """Difference of proportions with a normal-approximation (Wald) interval."""
    if treated.n == 0 or control.n == 0:
        return None
    p1, p0 = treated.rate, control.rate
    diff = p1 - p0
    se = math.sqrt(p1 * (1 - p1) / treated.n + p0 * (1 - p0) / control.n)
    return Lift(diff=diff, low=diff - z * se, high=diff + z * se, relative=diff / p0 if p0 > 0 else None)


def _unit_keys(user: str | None, session: str | None) -> list[str]:
    return ([f"u:{user}"] if user else []) + ([f"s:{session}"] if session else [])


def compute(impressions: Iterable[Impression], events: Iterable[Event]) -> Report:
    renders: Counter[tuple[str, str]] = Counter()           # (request_id, slot) -> impressions
    where: dict[tuple[str, str], tuple[str, str]] = {}      # (request_id, slot) -> (page, bucket)
    unit_of: dict[str, str] = {}                            # user/session key -> shopper
    exposed: dict[str, tuple[str, int]] = {}                # shopper -> (bucket, first impression ts)
    total_impressions = 0
    for imp in impressions:
        total_impressions += 1
        key = (imp.request_id, imp.slot)
        renders[key] += 1
        bucket = imp.bucket or "personalized"
        where.setdefault(key, (imp.page or "unknown", bucket))
        keys = _unit_keys(imp.user_id, imp.session_id)
        shopper = next((unit_of[k] for k in keys if k in unit_of), keys[0] if keys else None)
        if shopper is None:
            continue
        for k in keys:
            unit_of.setdefault(k, shopper)
        first = exposed.get(shopper)
        if first is None or imp.ts < first[1]:
            exposed[shopper] = (first[0] if first else bucket, imp.ts)

    clicks: Counter[tuple[str, str]] = Counter()
    carts: Counter[tuple[str, str]] = Counter()
    bought: Counter[tuple[str, str]] = Counter()
    converted: dict[str, set[str]] = {"cart": set(), "purchase": set()}
    n_events = total_clicks = 0
    for ev in events:
        n_events += 1
        if ev.request_id and ev.slot:
            key = (ev.request_id, ev.slot)
            if key in renders:
                {"click": clicks, "cart": carts, "purchase": bought}.get(ev.type, Counter())[key] += 1
        total_clicks += ev.type == "click"
        if ev.type in converted:
            shopper = next((unit_of[k] for k in _unit_keys(ev.user_id, ev.session_id) if k in unit_of), None)
            if shopper is not None and ev.ts >= exposed[shopper][1]:
                converted[ev.type].add(shopper)

    per_slot: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    per_bucket: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for key, n in renders.items():
        page, bucket = where[key]
        clicked = min(clicks[key], n)
        row = per_slot[(page, key[1])]
        row[0] += n
        row[1] += clicked
        row[2] += carts[key]
        row[3] += bought[key]
        per_bucket[bucket][0] += n
        per_bucket[bucket][1] += clicked
    slots = [SlotRow(page=page, slot=slot, impressions=v[0], ctr=wilson(v[1], v[0]), carts=v[2], purchases=v[3])
             for (page, slot), v in sorted(per_slot.items())]

    buckets = []
    for bucket in BUCKETS:
        members = {s for s, (b, _) in exposed.items() if b == bucket}
        n_imp, n_clicked = per_bucket.get(bucket, [0, 0])
        if not members and not n_imp:
            continue
        buckets.append(BucketRow(bucket=bucket, shoppers=len(members), impressions=n_imp,
                                 ctr=wilson(n_clicked, n_imp),
                                 cart_rate=wilson(len(members & converted["cart"]), len(members)),
                                 purchase_rate=wilson(len(members & converted["purchase"]), len(members))))
    by_name = {b.bucket: b for b in buckets}
    lifts: dict[str, Lift] = {}
    if set(BUCKETS) <= set(by_name):
        treated, control = by_name["personalized"], by_name["control"]
        for metric in ("ctr", "cart_rate", "purchase_rate"):
            found = lift(getattr(treated, metric), getattr(control, metric))
            if found is not None:
                lifts[metric] = found
    return Report(impressions=total_impressions, clicks=total_clicks, events=n_events, slots=slots,
                  buckets=buckets, lift=lifts)
