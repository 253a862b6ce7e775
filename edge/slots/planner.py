"""The page -> slots plan: which slots run, in which order, and de-duplication across them.

``plan`` runs the page's slot programs in one compiled call (``edge.slots.compiled``);
``plan_reference`` runs the same chains step by step in Python, the reference it is tested
against and the planner for the control bucket's bestseller chains.
"""

from __future__ import annotations

import time

import numpy as np

from edge.codec import encode_spliced
from edge.config import Settings
from edge.errors import ValidationError
from edge.recommend import Filters, exclusion, hide
from edge.schemas import PAGE_SLOTS
from edge.slots.chain import SlotResult, run_chain
from edge.slots.compiled import plan_encoded, plan_slots
from edge.slots.context import Context
from edge.slots.strategies import OWN_ITEM_SLOTS, STRATEGIES, favourite_category
from edge.slots.titles import title
from edge.store import Snapshot


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
    picked, favourite, seconds = plan_slots(snap, ctx, slots, settings)
    # One call plans every slot: each slot's latency is the page's planning time.
    return [SlotResult(slot, title(snap, slot, favourite), p, seconds)
            for slot, p in zip(slots, picked, strict=True)]


def render(snap: Snapshot, ctx: Context, slots: tuple[str, ...], settings: Settings, request_id: str,
           bucket: str = "personalized") -> tuple[bytes, list[tuple[str, int, float]]]:
    """The served path: the response body, planned and spliced in compiled code, and for
    each slot (name, items, seconds) for the metrics."""
    items, slot_bytes, counts, favourite, seconds = plan_encoded(snap, ctx, slots, settings)
    titles = [(slot, title(snap, slot, favourite)) for slot in slots]
    body = encode_spliced(snap, request_id, ctx.page, titles, items, slot_bytes, ctx.ignored, bucket)
    return body, [(slot, count, seconds) for slot, count in zip(slots, counts, strict=True)]


def plan_reference(snap: Snapshot, ctx: Context, slots: tuple[str, ...], settings: Settings) -> list[SlotResult]:
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
        favourite = favourite_category(snap, ctx) if slot == "category_picks" else -1
        results.append(SlotResult(slot, title(snap, slot, favourite), picked, time.perf_counter() - started))
    return results

