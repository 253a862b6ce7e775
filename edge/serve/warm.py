"""Compile and warm every kernel against a snapshot's own arrays before it serves.

Numba specialises on array types (read-only, dtype, layout), so the warm-up runs the real
request paths once per page with ids taken from the snapshot itself, through the page kernel
that both A/B buckets' answers use.
"""

from __future__ import annotations

from edge.schemas import PAGE_SLOTS, RecommendRequest
from edge.serve.experiments import CONTROL, PERSONALIZED
from edge.slots.context import build_context
from edge.slots.planner import render
from edge.slots.served import Served


def warm(served: Served) -> None:
    snap = served.snapshot
    if snap.n_items == 0:
        return
    snap.prepare_ids()
    top, _ = snap.ranking("bestsellers", 0)
    ids = [snap.external_id(int(i)) for i in (top[:3] if top.size else range(min(3, snap.n_items)))]
    for page in PAGE_SLOTS:
        for req in (RecommendRequest(page=page),  # type: ignore[arg-type]
                    RecommendRequest(page=page, item=ids[0], cart=ids[:1], history=ids[1:],  # type: ignore[arg-type]
                                     price_max=1e6, free_shipping_gap=5.0)):
            ctx = build_context(snap, req)
            for bucket in (PERSONALIZED, CONTROL):
                render(served, ctx, PAGE_SLOTS[page], "warm", bucket)
