"""Each slot's fallback chain as data: the programs ``edge.scoring.page.plan_page`` runs.

This is the one definition of the slot rules: rows that say where candidates come from,
which filters a step adds and how its picks are explained. A chain ends in the global
bestsellers where the slot's meaning allows it, so slots are not left empty. The control
bucket is a program too: every slot filled with bestsellers (by segment, then region, then
overall). tests/slots/oracle holds the same rules written step by step in Python, which the
compiled planner is checked against.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from edge.schemas import PAGE_SLOTS
from edge.scoring import page as k
from edge.slots.texts import TEXTS
from edge.slots.tunables import W_CART, W_CONTENT, W_HISTORY, W_SIMILAR, W_TOGETHER

# Slots that show the shopper's own items; every other slot hides the history.
OWN_ITEM_SLOTS = frozenset({"recently_viewed", "reminders"})


@dataclass(frozen=True)
class CoOccurrence:
    """Explain by the first table (in order) whose counts link a seed to the item."""

    fallback: str
    tables: tuple[tuple[str, str, str], ...]  # (table, text when the shop sends views, text when not)


def _same(*tables: tuple[str, str]) -> tuple[tuple[str, str, str], ...]:
    return tuple((t, text, text) for t, text in tables)


FOR_YOU = CoOccurrence("Based on what you viewed", (
    ("also_viewed", "Viewed together with your picks {times}", "Bought together with your picks {times}"),
    *_same(("also_bought", "Bought by customers like you {times}"))))
SIMILAR_EVIDENCE = CoOccurrence("Similar to this item", (
    ("also_viewed", "Viewed together {times}", "Bought together {times}"),
    ("viewed_next", "Viewed next {times}", "Bought next {times}"),
    *_same(("also_bought", "Bought by the same customers {times}"))))
# The same evidence when the earlier views are seeds too: the count may link the item to any of them.
SIMILAR_NEAR = CoOccurrence("Similar to what you viewed", (
    ("also_viewed", "Viewed together with items you viewed {times}", "Bought together with items you viewed {times}"),
    ("viewed_next", "Viewed after items you viewed {times}", "Bought after items you viewed {times}"),
    *_same(("also_bought", "Bought by customers of items you viewed {times}"))))
# The cart blends the category fallback (bought_category) too: its items say so, not "bought together".
IN_CATEGORY_BOUGHT = ("bought_category", "Popular in this category, bought {times}")
TOGETHER_ONE = CoOccurrence("Often bought together", _same(
    ("bought_together", "Bought together {times}"), ("also_bought", "Bought by the same customers {times}"),
    IN_CATEGORY_BOUGHT))
TOGETHER_MANY = CoOccurrence("Often bought together", _same(
    ("bought_together", "Bought with your cart items {times}"),
    ("also_bought", "Bought by the same customers {times}"), IN_CATEGORY_BOUGHT))
ADDONS = CoOccurrence("A small extra", _same(("bought_together", "Often added to carts like yours ({times})"),))
SPECS = (FOR_YOU, SIMILAR_EVIDENCE, TOGETHER_ONE, TOGETHER_MANY, ADDONS, SIMILAR_NEAR)
for _spec in SPECS:  # every text is known before the first request: TEXTS.tables() is built once
    for _text in (_spec.fallback, *(t for _, *texts in _spec.tables for t in texts)):
        TEXTS.add(_text)


def step(kind: int, *, seeds: int = k.S_ANCHOR, weights: int = 0, k_mult: int = 1, boost: bool = False,
         source: int = k.R_BESTSELLERS, group: int = k.G_ZERO, band: int = k.B_NONE, cat: int = k.C_REQUEST,
         explain: int = k.E_POPULARITY, text: str = "Bestseller", cooc: CoOccurrence | None = None,
         cooc_many: CoOccurrence | None = None) -> list[int]:
    row = [0] * k.STEP_FIELDS
    row[k.KIND], row[k.SEEDS], row[k.WEIGHTS], row[k.K_MULT], row[k.BOOST] = kind, seeds, weights, k_mult, boost
    row[k.SOURCE], row[k.GROUP], row[k.BAND], row[k.CAT], row[k.EXPLAIN] = source, group, band, cat, explain
    row[k.TEXT] = TEXTS.add(text)
    one = cooc or FOR_YOU
    row[k.COOC_ONE], row[k.COOC_MANY] = SPECS.index(one), SPECS.index(cooc_many or one)
    return row


def ranked(source: int, group: int = k.G_ZERO, text: str = "Bestseller", **kw: Any) -> list[int]:
    return step(k.RANKED, source=source, group=group, text=text, **kw)


def blended(seeds: int, weights: int, cooc: CoOccurrence | None = None, **kw: Any) -> list[int]:
    explain = kw.pop("explain", k.E_CO_OCCURRENCE)
    return step(k.BLEND, seeds=seeds, weights=weights, cooc=cooc, explain=explain, **kw)


BESTSELLERS = ranked(k.R_BESTSELLERS)
IN_CATEGORY = "Popular in this category"


def _bought_together(seeds: int, weights: int, category: int) -> list[list[int]]:
    return [blended(seeds, weights, TOGETHER_ONE, cooc_many=TOGETHER_MANY),
            ranked(k.R_CATEGORY, category, IN_CATEGORY), BESTSELLERS]


_HOME = {
    "bestsellers": [ranked(k.R_SEGMENT, k.G_SEGMENT), ranked(k.R_REGION, k.G_REGION), BESTSELLERS],
    "trending": [ranked(k.R_TRENDING, explain=k.E_TRENDING), BESTSELLERS],
    "for_you": [blended(k.S_FOR_YOU, W_HISTORY, FOR_YOU), ranked(k.R_CATEGORY, k.G_FAVOURITE, IN_CATEGORY),
                BESTSELLERS],
    "recently_viewed": [step(k.OWN, explain=k.E_FIXED, text="You viewed this")],
    "category_picks": [ranked(k.R_CATEGORY, k.G_FAVOURITE, IN_CATEGORY), BESTSELLERS],
}
_PRODUCT = {
    "similar": [blended(k.S_NEAR, W_SIMILAR, SIMILAR_EVIDENCE, cooc_many=SIMILAR_NEAR),
                blended(k.S_ANCHOR, W_CONTENT, explain=k.E_FIXED, text="Similar to this item"),
                ranked(k.R_CATEGORY, k.G_ANCHOR_CATEGORY, IN_CATEGORY), BESTSELLERS],
    "upsell": [blended(k.S_ANCHOR, W_SIMILAR, band=k.B_UPSELL, cat=k.C_ANCHOR, explain=k.E_STEP_UP),
               ranked(k.R_CATEGORY, k.G_ANCHOR_CATEGORY, IN_CATEGORY, band=k.B_UPSELL, cat=k.C_ANCHOR)],
    "alternatives": [blended(k.S_ANCHOR, W_SIMILAR, band=k.B_CHEAPER, k_mult=3, boost=True, explain=k.E_SAVES),
                     ranked(k.R_CATEGORY, k.G_ANCHOR_CATEGORY, band=k.B_CHEAPER, explain=k.E_SAVES)],
    "bought_together": _bought_together(k.S_ANCHOR, W_TOGETHER, k.G_ANCHOR_CATEGORY),
}
_CART = {
    "bought_together": _bought_together(k.S_CART, W_CART, k.G_CART_LAST_CATEGORY),
    "addons": [blended(k.S_CART, W_TOGETHER, ADDONS, band=k.B_ADDON, explain=k.E_GAP),
               ranked(k.R_BESTSELLERS, band=k.B_ADDON)],
    "reminders": [step(k.OWN, explain=k.E_FIXED, text="You looked at this earlier")],
}
# The control bucket: every slot of every page, the same bestsellers chain (not an own-item slot,
# so the history stays hidden; no guard).
CONTROL = [ranked(k.R_SEGMENT, k.G_SEGMENT), ranked(k.R_REGION, k.G_REGION), BESTSELLERS]
_GUARDS = {"upsell": k.GUARD_UPSELL, "alternatives": k.GUARD_PRICED}
_CHAINS = {"home": _HOME, "product": _PRODUCT, "cart": _CART, "checkout": _CART}

# Every chain's steps in one array; slot rows point into it.
_rows: list[list[int]] = []
_slot_rows: dict[tuple[str, str, bool], list[int]] = {}
for _page, _chains in _CHAINS.items():
    for _slot in PAGE_SLOTS[_page]:
        _chain = _chains[_slot]
        _slot_rows[(_page, _slot, False)] = [len(_rows), len(_chain), int(_slot in OWN_ITEM_SLOTS),
                                             _GUARDS.get(_slot, k.GUARD_NONE), len(_rows)]
        _rows.extend(_chain)
_control_first = len(_rows)
_rows.extend(CONTROL)
for _page, _slots in PAGE_SLOTS.items():
    for _slot in _slots:  # the slot keeps its key (its own program's first step): its rules still apply
        _slot_rows[(_page, _slot, True)] = [_control_first, len(CONTROL), 0, k.GUARD_NONE,
                                            _slot_rows[(_page, _slot, False)][k.SLOT_KEY]]
STEPS = np.array(_rows, dtype=np.int64)
STEPS.flags.writeable = False
_slot_cache: dict[tuple[str, tuple[str, ...], bool], np.ndarray] = {}


def slot_rows(page: str, slots: tuple[str, ...], control: bool = False) -> np.ndarray:
    """The slot rows of ``slots`` on ``page``, in order; ``control``: the control bucket's
    programs (few distinct requests: kept)."""
    key = (page, slots, control)
    rows = _slot_cache.get(key)
    if rows is None:
        rows = np.array([_slot_rows[(page, s, control)] for s in slots], dtype=np.int64).reshape(-1, k.SLOT_FIELDS)
        rows.flags.writeable = False
        _slot_cache[key] = rows
    return rows


def co_occurrence_specs(tables: list[str]) -> np.ndarray:
    """The evidence specs with table names resolved against a snapshot's table order."""
    index = {name: t for t, name in enumerate(tables)}
    out = np.full((len(SPECS), k.COOC_FIELDS), -1, dtype=np.int64)
    for s, spec in enumerate(SPECS):
        out[s, k.COOC_FALLBACK] = TEXTS.add(spec.fallback)
        out[s, k.COOC_TABLES] = len(spec.tables)
        for t, (table, views, orders) in enumerate(spec.tables):
            out[s, 2 + 3 * t:5 + 3 * t] = index.get(table, -1), TEXTS.add(views), TEXTS.add(orders)
    return out
