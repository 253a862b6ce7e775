"""Purchases joined per order, so an order the browser and the shop's server both reported counts once.

The server's lines are the order as the shop booked it (quantities, prices, currency); a
browser's lines of the same order only lend what the server may not know: the session, the
user, and the slot each item came from. An order only a browser reported counts with its own
lines (attributed in the report; the builder never counts it, docs/api.md#trusted-purchases).
"""

from __future__ import annotations

from typing import NamedTuple

from edge.events.schemas import StoredEvent

BROWSER = "browser"


class _Row(NamedTuple):
    ts: int
    item: str
    user: str | None
    session: str | None
    key: tuple[str, str] | None
    amount: float
    currency: str | None
    browser: bool


class Line(NamedTuple):
    ts: int
    key: tuple[str, str] | None    # (request_id, slot) the item came from
    units: list[str]               # the shopper's user/session keys
    amount: float                  # quantity x unit price (0 without a price)
    currency: str | None


class Orders:
    def __init__(self) -> None:
        self._rows: dict[str, list[_Row]] = {}

    @property
    def count(self) -> int:
        return len(self._rows)

    def add(self, ev: StoredEvent) -> None:
        assert ev.order_id is not None
        quantity = 1.0 if ev.quantity is None else ev.quantity
        key = (ev.request_id, ev.slot) if ev.request_id and ev.slot else None
        row = _Row(ev.ts, ev.item_id, ev.user_id, ev.session_id, key, quantity * (ev.price or 0.0),
                   getattr(ev, "currency", None), ev.source == BROWSER)
        self._rows.setdefault(ev.order_id, []).append(row)

    def lines(self) -> list[Line]:
        out = []
        for rows in self._rows.values():
            server = [r for r in rows if not r.browser]
            touch = {r.item: r.key for r in reversed(rows) if r.key} | {r.item: r.key for r in server if r.key}
            units = sorted({u for r in rows for u in ((f"u:{r.user}" if r.user else ""),
                                                      (f"s:{r.session}" if r.session else "")) if u})
            for r in server or rows:
                out.append(Line(r.ts, r.key or touch.get(r.item), units, r.amount, r.currency))
        return out
