"""The page -> slots plan: which slots run, in which order, and de-duplication across them.

``plan`` and ``render`` run the page's slot programs in one compiled call
(``edge.slots.compiled``), for either A/B bucket: ``control`` runs the control programs.
"""

from __future__ import annotations

import time

from edge.errors import ValidationError
from edge.schemas import PAGE_SLOTS
from edge.scoring.splice import page_items
from edge.serve.codec import encode_page, page_head, slot_opening
from edge.serve.experiments import CONTROL, PERSONALIZED
from edge.slots.compiled import page_rules_tuple, plan_slots, request_of
from edge.slots.context import Context
from edge.slots.picks import SlotResult
from edge.slots.programs import slot_rows
from edge.slots.served import Served
from edge.slots.titles import TITLES, title

CATEGORY = "category_picks"  # the one slot whose title depends on the request (its favourite category)


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


def plan(served: Served, ctx: Context, slots: tuple[str, ...], control: bool = False) -> list[SlotResult]:
    """Every slot's picks and reasons (``control``: the control bucket's), for callers that want
    them rather than the response: the evaluation, tests."""
    picked, favourite, seconds = plan_slots(served, ctx, slots, control)
    # One call plans every slot: each slot's latency is the page's planning time.
    return [SlotResult(slot, title(served.snapshot, slot, favourite), p, seconds)
            for slot, p in zip(slots, picked, strict=True)]


class Layout:
    """What a page's answer needs that no request changes, made once per (page, slots, bucket):
    the slot rows the kernel plans and each slot's opening bytes in the response."""

    __slots__ = ("category", "openings", "rows")

    def __init__(self, page: str, slots: tuple[str, ...], control: bool) -> None:
        self.rows = slot_rows(page, slots, control)
        self.openings = [slot_opening(slot, TITLES[slot], not s) for s, slot in enumerate(slots)]
        self.category = slots.index(CATEGORY) if CATEGORY in slots else -1


_layouts: dict[tuple[str, tuple[str, ...], bool], Layout] = {}


def layout(page: str, slots: tuple[str, ...], control: bool = False) -> Layout:
    key = (page, slots, control)
    found = _layouts.get(key)
    if found is None:
        found = _layouts[key] = Layout(page, slots, control)  # bounded: the subsets of each page's slots
    return found


def render(served: Served, ctx: Context, slots: tuple[str, ...], request_id: str,
           bucket: str = PERSONALIZED) -> tuple[bytes, list[tuple[str, int, float]]]:
    """The served path, for either A/B bucket: the response body, planned and spliced in
    compiled code, and for each slot (name, items, seconds) for the metrics."""
    body, ends, seconds = render_page(served, ctx, slots, request_id, bucket)
    return body, [(slot, end - start, seconds) for slot, start, end in zip(slots, [0, *ends], ends, strict=False)]


def render_page(served: Served, ctx: Context, slots: tuple[str, ...], request_id: str,
                bucket: str = PERSONALIZED) -> tuple[bytes, list[int], float]:
    """``render`` as requests use it: the body; for the metrics, each slot's item end (items of
    slot s: ends[s-1]..ends[s]) and the seconds planning took, once for every slot."""
    shape = layout(ctx.page, slots, bucket == CONTROL)
    started = time.perf_counter()
    items, meta = page_items(served.bundles, request_of(ctx, shape.rows), page_rules_tuple(served, ctx.page))
    seconds = time.perf_counter() - started
    n = len(slots)
    numbers = meta.tolist()  # byte end of each slot, item end of each slot, the favourite category
    openings = shape.openings
    if shape.category >= 0:
        c = shape.category
        openings = openings.copy()
        openings[c] = slot_opening(CATEGORY, title(served.snapshot, CATEGORY, numbers[2 * n]), not c)
    body = encode_page(request_id, page_head(served.version, ctx.page, bucket), openings, items.tobytes(),
                       numbers[:n], ctx.ignored)
    return body, numbers[n:2 * n], seconds
