"""The page -> slots plan: which slots run, in which order, and de-duplication across them.

``plan`` and ``render`` run the page's slot programs in one compiled call
(``edge.slots.compiled``), for either A/B bucket: ``control`` runs the control programs.
"""

from __future__ import annotations

from edge.errors import ValidationError
from edge.schemas import PAGE_SLOTS
from edge.serve.codec import encode_spliced
from edge.serve.experiments import CONTROL
from edge.slots.compiled import plan_encoded, plan_slots
from edge.slots.context import Context
from edge.slots.picks import SlotResult
from edge.slots.served import Served
from edge.slots.titles import title


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


def render(served: Served, ctx: Context, slots: tuple[str, ...], request_id: str,
           bucket: str = "personalized") -> tuple[bytes, list[tuple[str, int, float]]]:
    """The served path, for either A/B bucket: the response body, planned and spliced in
    compiled code, and for each slot (name, items, seconds) for the metrics."""
    items, slot_bytes, counts, favourite, seconds = plan_encoded(served, ctx, slots, bucket == CONTROL)
    titles = [(slot, title(served.snapshot, slot, favourite)) for slot in slots]
    body = encode_spliced(served.version, request_id, ctx.page, titles, items, slot_bytes, ctx.ignored, bucket)
    return body, [(slot, count, seconds) for slot, count in zip(slots, counts, strict=True)]
