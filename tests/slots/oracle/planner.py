"""The page planned slot by slot in Python: the oracle ``edge.slots.planner.plan`` is checked against."""

from __future__ import annotations

import time

import numpy as np

from edge.slots.context import Context
from edge.slots.picks import SlotResult
from edge.slots.served import Served
from edge.slots.titles import title
from tests.slots.oracle.chain import run_chain
from tests.slots.oracle.recipes import Filters, exclusion, hide
from tests.slots.oracle.strategies import OWN_ITEM_SLOTS, STRATEGIES, Shop, bestsellers, favourite_category


def _seen(ctx: Context, blocked: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(cart, current item, ``exclude`` and what the overlay hides; the same plus the history)."""
    base = hide(blocked, exclusion(ctx.cart, ctx.current, ctx.excluded))
    return base, hide(base, ctx.history)


def plan_reference(served: Served, ctx: Context, slots: tuple[str, ...], control: bool = False) -> list[SlotResult]:
    """Every slot's picks under ``served``'s tunables, prices and overlay; ``control``: the control
    bucket's answer (bestsellers in every slot)."""
    snap, tunables = served.snapshot, served.tunables
    shop = Shop(snap, tunables, served.prices)
    # Non-own slots never show cart, current item, exclusions, what the overlay hides or history.
    base_exclude, hidden = _seen(ctx, served.catalog.blocked)
    shown: list[np.ndarray] = []
    results = []
    for slot in slots:
        started = time.perf_counter()
        own = slot in OWN_ITEM_SLOTS and not control
        # Own-item slots may show history, never the cart (nor what earlier slots showed).
        exclude = exclusion(base_exclude, *shown) if own else hidden
        filters = Filters(exclude=exclude, price_lo=ctx.price_lo, price_hi=ctx.price_hi,
                          cat_allow=ctx.cat_allow, max_per_category=0 if own else tunables.max_per_category)
        strategy = bestsellers if control else STRATEGIES[slot]
        picked = run_chain(filters, ctx.n, strategy(shop, ctx, tunables))
        if picked.ids.size:
            # An item appears in at most one slot of a response.
            hidden = hide(hidden, picked.ids)
            shown.append(picked.ids)
        favourite = favourite_category(shop, ctx) if slot == "category_picks" else -1
        results.append(SlotResult(slot, title(snap, slot, favourite), picked, time.perf_counter() - started))
    return results
