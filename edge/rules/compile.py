"""A rule set compiled against one snapshot: per page, the ``Rules`` arrays the planner reads.

Built once per rules generation and snapshot (off the event loop, with the catalog overlay:
edge/overlay/watch.py), so a request only selects its page's bundle. Names the snapshot does
not know (a category, a brand, a pinned item) match nothing: the catalog may know them after
the next build, so the rule stays valid and stored.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

import numpy as np

from edge.rules.schemas import Boost, Bury, Exclude, Pin, Rule, scopes
from edge.schemas import PAGE_SLOTS
from edge.scoring import page as k
from edge.scoring.merchandise import Rules, pack
from edge.slots.programs import slot_rows
from edge.slots.texts import FEATURED, PINNED
from edge.store import Snapshot

DAY = 86400


def compile_rules(snap: Snapshot, rules: Iterable[Rule], now: float | None = None,
                  prices: np.ndarray | None = None) -> dict[str, Rules]:
    """Page -> its bundle, for the pages that have rules. ``now``: newness is judged against it (the
    time of compiling; rules are compiled again with every snapshot and rules change). ``prices``:
    what price ranges read (the overlay's shared prices; None: the snapshot's)."""
    by_page: dict[str, list[Rule]] = {}
    for rule in rules:
        by_page.setdefault(rule.page, []).append(rule)
    match = _Matcher(snap, time.time() if now is None else now, snap.arrays["price"] if prices is None else prices)
    return {page: _page(snap, page, page_rules, match) for page, page_rules in by_page.items()}


class _Matcher:
    """Which items a rule's criterion selects, as a boolean mask (kept: rules often repeat one)."""

    def __init__(self, snap: Snapshot, now: float, prices: np.ndarray) -> None:
        self.snap = snap
        self.now = now
        self.prices = prices
        self.brands = {name: b for b, name in enumerate(snap.manifest.brands)}
        self._masks: dict[tuple[object, ...], np.ndarray] = {}

    def mask(self, rule: Boost | Bury | Exclude) -> np.ndarray:
        a = self.snap.arrays
        if rule.category is not None:
            key: tuple[object, ...] = ("category", rule.category)
        elif rule.brand is not None:
            key = ("brand", rule.brand)
        elif isinstance(rule, Exclude):
            raise AssertionError("an exclusion names a category or a brand")  # checked when stored
        elif rule.new_within_days is not None:
            key = ("new", rule.new_within_days)
        else:
            key = ("price", rule.price_min, rule.price_max)
        found = self._masks.get(key)
        if found is None:
            if key[0] == "category":
                found = np.isin(a["category"], self.snap.category_subtree(str(key[1])))
            elif key[0] == "brand":
                brand = self.brands.get(str(key[1]), -1)
                found = a["brand"] == brand if brand >= 0 else np.zeros(self.snap.n_items, np.bool_)
            elif key[0] == "new":
                created = a["created_at"]
                found = (created > 0) & (created >= self.now - int(key[1]) * DAY)  # type: ignore[call-overload]
            else:
                price = self.prices.astype(np.float64)
                lo = -np.inf if key[1] is None else float(key[1])  # type: ignore[arg-type]
                hi = np.inf if key[2] is None else float(key[2])  # type: ignore[arg-type]
                found = (price >= lo) & (price <= hi)  # NaN prices match no range
            self._masks[key] = found
        return found


def _page(snap: Snapshot, page: str, rules: list[Rule], match: _Matcher) -> Rules:
    slots = PAGE_SLOTS[page]
    n = snap.n_items
    firsts = [int(slot_rows(page, (slot,))[0, k.SLOT_KEY]) for slot in slots]
    assert len(set(firsts)) == len(firsts), f"two slots of {page} share a program"
    deny_cats: list[np.ndarray] = []
    deny_items: list[np.ndarray] = []
    rows: list[np.ndarray] = []
    boost_row: list[int] = []
    pins: list[list[tuple[int, int]]] = []
    for slot in slots:
        mine = [r for r in rules if slot in scopes(r)]
        cats = [snap.category_subtree(r.category) for r in mine if isinstance(r, Exclude) and r.category is not None]
        deny_cats.append(np.unique(np.concatenate(cats)).astype(np.int32) if cats else np.zeros(0, np.int32))
        brands = [match.mask(r) for r in mine if isinstance(r, Exclude) and r.brand is not None]
        deny_items.append(np.flatnonzero(np.logical_or.reduce(brands)).astype(np.int32) if brands
                          else np.zeros(0, np.int32))
        factors = [r for r in mine if isinstance(r, Boost | Bury)]
        if factors:
            mult = np.ones(n, np.float32)
            for r in factors:
                mult[match.mask(r)] *= np.float32(r.factor)
            # Slots with the same factors (every slot of a page-wide rule) share one row.
            same = next((i for i, row in enumerate(rows) if np.array_equal(row, mult)), -1)
            if same < 0:
                rows.append(mult)
                same = len(rows) - 1
            boost_row.append(same)
        else:
            boost_row.append(-1)
        placed = [(r.position - 1, snap.index_of(r.item)) for r in mine if isinstance(r, Pin)]
        pins.append(sorted((pos, dense) for pos, dense in placed if dense >= 0))
    return pack(
        slot_first=np.array(firsts, np.int64),
        deny_ptr=_ptr(deny_cats), deny_cats=_cat(deny_cats),
        item_ptr=_ptr(deny_items), deny_items=_cat(deny_items),
        boost_row=np.array(boost_row, np.int64),
        mult=np.stack(rows) if rows else np.zeros((0, 0), np.float32),
        pin_ptr=_ptr([np.zeros(len(p)) for p in pins]),
        pin_pos=np.array([pos for p in pins for pos, _ in p], np.int64),
        pin_ids=np.array([dense for p in pins for _, dense in p], np.int64),
        pinned_text=PINNED, featured_text=FEATURED,
    )


def _ptr(parts: list[np.ndarray]) -> np.ndarray:
    out = np.zeros(len(parts) + 1, np.int64)
    out[1:] = np.cumsum([p.shape[0] for p in parts])
    return out


def _cat(parts: list[np.ndarray]) -> np.ndarray:
    return np.concatenate(parts).astype(np.int64) if parts else np.zeros(0, np.int64)
