"""The served planner: a page's slot programs in one compiled call.

``plan_encoded`` (what requests use) plans and splices in ``edge.scoring.splice.page_items``;
``plan_slots`` plans only and renders reasons in Python, for callers that want the picks (the
evaluation, tests). Both take a ``Served`` (``edge.slots.served``), whose bundles were built
once per snapshot and overlay; per request only the ``Request`` is built, and handed to the
kernel as a plain tuple.

To add a bundle argument to the kernels, append it to the tuple ``kernel_args`` returns and to
``plan_page``'s and ``page_items``' parameters (see ``edge.scoring.bundles``).
"""

from __future__ import annotations

import time

import numpy as np

from edge.scoring import page as k
from edge.scoring.bundles import Request
from edge.scoring.merchandise import EMPTY, Rules
from edge.scoring.page import plan_page
from edge.scoring.splice import page_items
from edge.slots.context import Context
from edge.slots.picks import Picked
from edge.slots.programs import slot_rows
from edge.slots.served import RANKINGS, Served
from edge.slots.texts import TEXTS

NAN = float("nan")
assert RANKINGS.index("bestsellers") == k.R_BESTSELLERS and RANKINGS.index("trending") == k.R_TRENDING


def request_tuple(ctx: Context, slots: tuple[str, ...], control: bool = False) -> tuple:
    """The request as the kernels take it: a plain tuple in ``Request`` field order (built
    directly: a NamedTuple made and copied costs a microsecond per request)."""
    return request_of(ctx, slot_rows(ctx.page, slots, control))


def request_of(ctx: Context, rows: np.ndarray) -> tuple:
    """``request_tuple`` for the slot rows ``rows`` (``edge.slots.programs.slot_rows``)."""
    gap = ctx.free_shipping_gap
    return (rows, ctx.anchor, ctx.history, ctx.purchased, ctx.cart, ctx.current,
            ctx.excluded, ctx.cat_allow, ctx.price_lo, ctx.price_hi, ctx.n, ctx.region, ctx.segment,
            NAN if gap is None else float(gap))


assert Request._fields == ("slots", "anchor", "history", "purchased", "cart", "current", "excluded", "cat_allow",
                           "price_lo", "price_hi", "n", "region", "segment", "gap"), "request_tuple's order"


def request_bundle(ctx: Context, slots: tuple[str, ...], control: bool = False) -> Request:
    return Request(*request_tuple(ctx, slots, control))


def page_rules(served: Served, page: str) -> Rules:
    """Merchandising rules: the page's bundle, compiled with the overlay (``EMPTY`` when it has none)."""
    overlay = served.overlay
    return EMPTY if overlay is None else overlay.rules.get(page, EMPTY)


_NO_RULES = tuple(EMPTY)


def page_rules_tuple(served: Served, page: str) -> tuple:
    """``page_rules`` as ``page_items`` takes them: a plain tuple in ``Rules`` field order."""
    overlay = served.overlay
    rules = None if overlay is None else overlay.rules.get(page)
    return _NO_RULES if rules is None else tuple(rules)


def kernel_args(served: Served, ctx: Context, slots: tuple[str, ...], control: bool = False) -> tuple:
    """The page kernels' arguments for one request, in order: the served ``Bundles``, the
    request as a plain tuple (typed by numba's fast path) and the page's merchandising rules
    (the shop's decisions: both buckets follow them)."""
    return served.bundles, request_tuple(ctx, slots, control), page_rules(served, ctx.page)


def plan_picks(served: Served, ctx: Context, slots: tuple[str, ...], control: bool = False) -> tuple:
    """``plan_page``'s answer: (ids, scores, text ids, numbers, slot ends, favourite category)."""
    return plan_page(*kernel_args(served, ctx, slots, control))


def plan_slots(served: Served, ctx: Context, slots: tuple[str, ...],
               control: bool = False) -> tuple[list[Picked], int, float]:
    """Every slot's picks (``control``: the control bucket's), the favourite category and the
    seconds the plan took."""
    started = time.perf_counter()
    ids, scores, text_ids, numbers, ends, fav = plan_picks(served, ctx, slots, control)
    reasons = TEXTS.render(text_ids.tolist(), numbers.tolist())
    picked = []
    start = 0
    for end in ends.tolist():
        picked.append(Picked(ids[start:end], scores[start:end], reasons[start:end]))
        start = end
    return picked, int(fav), time.perf_counter() - started


def plan_encoded(served: Served, ctx: Context, slots: tuple[str, ...],
                 control: bool = False) -> tuple[bytes, list[int], list[int], int, float]:
    """The served path: every slot planned and its items spliced as JSON. Returns (items,
    byte end of each slot, item count of each slot, favourite category, seconds)."""
    started = time.perf_counter()
    items, meta = page_items(served.bundles, request_tuple(ctx, slots, control), page_rules_tuple(served, ctx.page))
    n = len(slots)
    numbers = meta.tolist()
    ends = numbers[n:2 * n]
    counts = [b - a for a, b in zip([0, *ends], ends, strict=False)]
    return items.tobytes(), numbers[:n], counts, numbers[2 * n], time.perf_counter() - started


__all__ = ["kernel_args", "page_rules_tuple", "plan_encoded", "plan_picks", "plan_slots", "request_bundle",
           "request_of", "request_tuple"]
