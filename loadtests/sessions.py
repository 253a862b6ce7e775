"""Shopper journeys from an events file: the request mix the load generator replays.

Each session of the file (``session_id``, else the order, else the customer) becomes one
journey: the home page, one product page per item the shopper looked at or bought (the
history growing, most recent last, capped like a shop's "recently viewed"), the cart page
once something is in the cart, and the checkout page when the session ended in a purchase.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from edge.build.frames import EventType

HISTORY_CAP = 20
CART_CAP = 50            # the API's limit per id list
MAX_PRODUCT_STEPS = 30   # so a wholesale order of 300 lines does not dominate the mix
PAGES = ("home", "product", "cart", "checkout")

_SEEN = (EventType.VIEW, EventType.CLICK)
_ADDED = (EventType.CART, EventType.PURCHASE)


@dataclass(frozen=True, slots=True)
class Step:
    """One page request and the events the shopper produced on that page."""

    page: str
    params: tuple[tuple[str, str], ...]
    # (event type, item id) pairs: what an ingest endpoint would receive for this page.
    events: tuple[tuple[int, str], ...] = ()

    def query(self) -> dict[str, str]:
        return {"page": self.page, **dict(self.params)}


@dataclass(frozen=True, slots=True)
class Journey:
    key: str
    steps: tuple[Step, ...]


class _Shopper:
    def __init__(self, user: str | None, region: str | None) -> None:
        self.context = tuple((k, v) for k, v in (("user", user), ("region", region)) if v)
        self.history: list[str] = []
        self.cart: list[str] = []
        self.steps: list[Step] = []
        self.products = 0
        self.bought = False

    def params(self, *, item: str | None = None) -> tuple[tuple[str, str], ...]:
        out: list[tuple[str, str]] = [("item", item)] if item else []
        if self.history:
            out.append(("history", ",".join(self.history)))
        if self.cart:
            out.append(("cart", ",".join(self.cart)))
        return (*out, *self.context)

    def view(self, item: str, kind: int) -> None:
        events = [(int(EventType.VIEW), item)]
        if kind in _ADDED:
            events.append((int(EventType.CART), item))
        self.steps.append(Step("product", self.params(item=item), tuple(events)))
        self.products += 1
        # A re-viewed item moves to the end rather than repeating.
        if item in self.history:
            self.history.remove(item)
        self.history.append(item)
        del self.history[:-HISTORY_CAP]
        if kind in _ADDED and item not in self.cart and len(self.cart) < CART_CAP:
            self.cart.append(item)

    def event(self, kind: int, item: str) -> None:
        if kind == EventType.REMOVE:
            if item in self.cart:
                self.cart.remove(item)
            return
        if kind == EventType.PURCHASE:
            self.bought = True
        if self.products >= MAX_PRODUCT_STEPS:
            return
        if kind in _SEEN or not self.history or self.history[-1] != item:
            self.view(item, kind)
        elif kind in _ADDED and item not in self.cart and len(self.cart) < CART_CAP:
            # Added to the cart from the product page just viewed: no new request, but that
            # page posts the cart event.
            self.cart.append(item)
            last = self.steps[-1]
            self.steps[-1] = dataclasses.replace(last, events=(*last.events, (int(EventType.CART), item)))

    def finish(self, key: str) -> Journey:
        if self.cart:
            self.steps.append(Step("cart", self.params()))
            if self.bought:
                purchases = tuple((int(EventType.PURCHASE), item) for item in self.cart)
                self.steps.append(Step("checkout", self.params(), purchases))
        return Journey(key, tuple(self.steps))


def journey(key: str, events: Iterable[tuple[int, str]], user: str | None = None,
            region: str | None = None) -> Journey:
    """The journey of one session from its (event type, item id) pairs in time order."""
    shopper = _Shopper(user, region)
    shopper.steps.append(Step("home", shopper.params()))
    for kind, item in events:
        shopper.event(kind, item)
    return shopper.finish(key)


def journeys(events: pa.Table) -> list[Journey]:
    """One journey per session of an events table (Skylt's format), in order of session start."""
    key = pc.coalesce(events["session_id"], events["order_id"], events["user_id"])
    table = pa.table({"key": key, "ts": events["ts"], "type": events["type"], "item": events["item_id"],
                      "user": events["user_id"], "region": events["region"]})
    table = table.take(pc.sort_indices(table, [("key", "ascending"), ("ts", "ascending")]))
    cols = {name: table[name].to_pylist() for name in table.column_names}
    out: list[tuple[int, Journey]] = []
    start = 0
    n = table.num_rows
    for end in range(1, n + 1):
        if end < n and cols["key"][end] == cols["key"][start]:
            continue
        pairs = zip(cols["type"][start:end], cols["item"][start:end], strict=True)
        out.append((cols["ts"][start], journey(cols["key"][start], pairs, cols["user"][start],
                                               cols["region"][start])))
        start = end
    out.sort(key=lambda pair: pair[0])
    return [j for _, j in out]


def load_journeys(paths: Sequence[Path] | None = None) -> list[Journey]:
    """Journeys of the given events files; by default the embedded demo events."""
    from edge.build.demo import demo_files
    from edge.build.readers import read_events

    files = list(paths) if paths else demo_files()[0]
    return journeys(pa.concat_tables([read_events(p) for p in files]))


def anonymous(all_journeys: Iterable[Journey]) -> list[Journey]:
    """The same journeys without the shopper's ``user``: anonymous visitors, whose answers depend on
    the URL alone (and so may be served from a cache)."""
    def strip(step: Step) -> Step:
        return dataclasses.replace(step, params=tuple((k, v) for k, v in step.params if k != "user"))

    return [Journey(j.key, tuple(strip(st) for st in j.steps)) for j in all_journeys]


def item_ids(all_journeys: Iterable[Journey], limit: int = 3000) -> list[str]:
    """Distinct product-page item ids in order of first appearance (for the wrk scripts)."""
    seen: dict[str, None] = {}
    for j in all_journeys:
        for step in j.steps:
            if step.page == "product":
                seen.setdefault(dict(step.params)["item"], None)
                if len(seen) >= limit:
                    return list(seen)
    return list(seen)
