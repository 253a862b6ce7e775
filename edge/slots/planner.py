"""The page -> slots plan: which slots run, in which order, and de-duplication across them."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from edge.config import Settings
from edge.errors import ValidationError
from edge.recommend import Filters, exclusion, hide
from edge.schemas import PAGE_SLOTS
from edge.slots.chain import Picked, run_chain
from edge.slots.context import Context
from edge.slots.strategies import OWN_ITEM_SLOTS, STRATEGIES, favourite_category
from edge.store import Snapshot

TITLES = {
    "bestsellers": "Bestsellers", "trending": "Trending now", "for_you": "Picked for you",
    "recently_viewed": "Recently viewed", "category_picks": "Popular in {category}", "similar": "Similar items",
    "upsell": "Step up", "alternatives": "Cheaper alternatives", "bought_together": "Frequently bought together",
    "addons": "Add a little extra", "reminders": "Still interested?",
}


@dataclass(frozen=True)
class SlotResult:
    slot: str
    title: str
    picked: Picked
    seconds: float


def slots_for(page: str, wanted: list[str] | None) -> tuple[str, ...]:
    available = PAGE_SLOTS[page]
    if wanted is None:
        return available
    for slot in wanted:
        if slot not in available:
            raise ValidationError(f"slot {slot!r} is not on the {page} page; it has {', '.join(available)}",
                                  field="slots")
    # The page's own order decides which slot gets an item first when several want it.
    return tuple(s for s in available if s in wanted)


def plan(snap: Snapshot, ctx: Context, slots: tuple[str, ...], settings: Settings) -> list[SlotResult]:
    hidden = ctx.seen  # non-own slots never show cart, current item, exclusions or history
    shown: list[np.ndarray] = []
    results = []
    for slot in slots:
        started = time.perf_counter()
        own = slot in OWN_ITEM_SLOTS
        # Own-item slots may show history, never the cart (nor what earlier slots showed).
        exclude = exclusion(ctx.base_exclude, *shown) if own else hidden
        filters = Filters(exclude=exclude, price_lo=ctx.price_lo, price_hi=ctx.price_hi,
                          cat_allow=ctx.cat_allow, max_per_category=0 if own else settings.max_per_category)
        picked = run_chain(filters, ctx.n, STRATEGIES[slot](snap, ctx, settings))
        if picked.ids.size:
            # An item appears in at most one slot of a response.
            hidden = hide(hidden, picked.ids)
            shown.append(picked.ids)
        results.append(SlotResult(slot, _title(snap, ctx, slot), picked, time.perf_counter() - started))
    return results


def _title(snap: Snapshot, ctx: Context, slot: str) -> str:
    title = TITLES[slot]
    if slot == "category_picks":
        category = favourite_category(snap, ctx)
        name = snap.manifest.categories[category].rsplit(" > ", 1)[-1] if category >= 0 else "the shop"
        return title.format(category=name)
    return title
