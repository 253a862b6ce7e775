"""Judge one raw event: decode it, apply the per-type rules, normalise it for the log.

The rules mirror what the builder's reader needs, so a stored line never stops a build:
an item id, at least one of session/user/order, a timestamp it can parse.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import NamedTuple

import msgspec

from edge.decoding import decode
from edge.errors import RequestError
from edge.events.schemas import Event, StoredEvent, StoredImpression

# Numbers above this are Unix milliseconds (as the builder reads them, edge/build/parse.py).
MS_THRESHOLD = 1e11
EARLIEST = 946684800          # 2000-01-01: anything before is a client clock or unit bug
MAX_FUTURE_SECONDS = 86400    # clocks drift; a day ahead is a bug, not drift

_decoder = msgspec.json.Decoder(Event)
_NUMBER = re.compile(r"[+-]?\d+(\.\d*)?")


# Browser-sent purchases: kept for attribution, never counted as sales (docs/api.md#trusted-purchases).
BROWSER = "browser"
# (user, user_token) -> whether the token signs that user.
Signed = Callable[[str, "str | None"], bool]


class Verdict(NamedTuple):
    stored: StoredEvent | StoredImpression
    consent: bool
    unsigned: bool  # a user was sent without a valid token and dropped
    marketing: bool | None = None  # the shop's marketing consent for the (signed) user, where sent


class Invalid(Exception):
    def __init__(self, detail: str, field: str | None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field


def _decode(raw: bytes) -> Event:
    try:
        return decode(_decoder, raw, "the event")
    except RequestError as exc:
        raise Invalid(exc.detail, exc.field) from None


def _seconds(ts: str | int | float | None, now: float) -> int:
    if ts is None:
        return int(now)
    if isinstance(ts, str) and _NUMBER.fullmatch(ts.strip()):
        ts = float(ts)  # "1790000000" as the builder reads it: a number, not an ISO date
    if isinstance(ts, str):
        try:
            dt = datetime.fromisoformat(ts.strip())
        except ValueError:
            raise Invalid(f"cannot parse {ts[:40]!r} as an ISO-8601 timestamp", "ts") from None
        value = (dt if dt.tzinfo else dt.replace(tzinfo=UTC)).timestamp()
    else:
        try:
            value = ts / 1000 if abs(ts) > MS_THRESHOLD else float(ts)
        except OverflowError:  # an integer beyond any float
            value = math.inf
    if not math.isfinite(value) or not EARLIEST <= value <= now + MAX_FUTURE_SECONDS:
        raise Invalid("timestamp is before 2000 or more than a day in the future", "ts")
    return math.floor(value)


def _strip(value: str | None) -> str | None:
    return value.strip() if value is not None else None


def _impression(ev: Event, now: float, user: str | None) -> StoredImpression:
    if ev.request_id is None:
        raise Invalid("impression events need the request_id of the recommendation", "request_id")
    if ev.slot is None:
        raise Invalid("impression events need the slot that was shown", "slot")
    if not ev.items:
        raise Invalid("impression events need the item ids the slot showed", "items")
    if ev.session is None and user is None:
        raise Invalid(_needs("one of session, user is needed", ev, user), "session")
    return StoredImpression(
        ts=_seconds(ev.ts, now), type="impression", request_id=ev.request_id.strip(), slot=ev.slot, page=ev.page,
        bucket=ev.bucket, items=[i.strip() for i in ev.items], session_id=_strip(ev.session), user_id=_strip(user))


def _needs(detail: str, ev: Event, user: str | None) -> str:
    if ev.user is not None and user is None:
        return detail + " (user is ignored without a valid user_token)"
    return detail


def judge(raw: bytes, now: float, signed: Signed | None = None) -> Verdict:
    """The line to store, or ``Invalid`` naming the field at fault. ``signed``: how a public
    key's events prove their user (None: a server key's, trusted as they are)."""
    ev = _decode(raw)
    user = ev.user
    if user is not None and signed is not None and not signed(user, ev.user_token):
        user = None
    unsigned = user is None and ev.user is not None
    if ev.marketing is not None and ev.user is None:
        raise Invalid("marketing consent needs a signed user", "marketing")
    marketing = ev.marketing if user is not None else None  # an unsigned user's flag is ignored with the user
    if ev.type == "impression":
        return Verdict(_impression(ev, now, user), ev.consent is not False, unsigned, marketing)
    if ev.items is not None:
        raise Invalid("only impression events carry items", "items")
    if ev.item is None:
        raise Invalid(f"{ev.type} events need an item", "item")
    if ev.type == "purchase" and ev.order is None:
        raise Invalid("purchase events need an order", "order")
    if ev.type == "click":
        if ev.request_id is None:
            raise Invalid("click events need the request_id of the recommendation", "request_id")
        if ev.slot is None:
            raise Invalid("click events need the slot that was clicked", "slot")
    if ev.session is None and user is None and ev.order is None:
        raise Invalid(_needs("one of session, user, order is needed", ev, user), "session")
    request_id, slot = _strip(ev.request_id), ev.slot
    if ev.touches is not None and ev.type not in ("cart", "purchase"):
        raise Invalid("only cart and purchase events carry touches", "touches")
    if request_id is None and slot is None and ev.touches:
        item = ev.item.strip()
        touch = next((t for t in reversed(ev.touches) if t.item.strip() == item), None)
        if touch is not None:
            request_id, slot = touch.request_id.strip(), touch.slot
    stored = StoredEvent(
        ts=_seconds(ev.ts, now), type=ev.type, item_id=ev.item.strip(), session_id=_strip(ev.session),
        user_id=_strip(user), order_id=_strip(ev.order),
        quantity=float(ev.quantity) if ev.quantity is not None else None,
        price=float(ev.price) if ev.price is not None else None,
        tax=float(ev.tax) if ev.tax is not None else None,
        region=_strip(ev.region), segment=_strip(ev.segment), request_id=request_id, slot=slot,
        source=BROWSER if ev.type == "purchase" and signed is not None else None, currency=ev.currency)
    return Verdict(stored, ev.consent is not False, unsigned, marketing)
