"""Compile and warm every kernel against a snapshot's own arrays before it serves.

Numba specialises on array types (read-only, dtype, layout), so the warm-up runs the real
request paths once per page with ids taken from the snapshot itself: the page kernel that
personalized answers use, and the Python planner's kernels that the control bucket's use.
"""

from __future__ import annotations

from edge.codec import encode_response
from edge.config import Settings
from edge.experiments import plan_control
from edge.rules.control import control_slot
from edge.schemas import PAGE_SLOTS, RecommendRequest
from edge.scoring.merchandise import EMPTY
from edge.slots.context import build_context
from edge.slots.planner import render
from edge.store import Snapshot


def warm(snap: Snapshot, settings: Settings) -> None:
    if snap.n_items == 0:
        return
    top, _ = snap.ranking("bestsellers", 0)
    ids = [snap.external_id(int(i)) for i in (top[:3] if top.size else range(min(3, snap.n_items)))]
    for page in PAGE_SLOTS:
        for req in (RecommendRequest(page=page),  # type: ignore[arg-type]
                    RecommendRequest(page=page, item=ids[0], cart=ids[:1], history=ids[1:],  # type: ignore[arg-type]
                                     price_max=1e6, free_shipping_gap=5.0)):
            ctx = build_context(snap, req)
            render(snap, ctx, PAGE_SLOTS[page], settings, "warm")
            encode_response(snap, "warm", page, plan_control(snap, ctx, PAGE_SLOTS[page], settings), ctx.ignored)
            control_slot(snap, ctx, settings, EMPTY, -1, ctx.seen)  # the control bucket's path on a page with rules
