"""The control bucket's slots under the merchandising rules: the shop's decisions hold in both buckets.

The control answer (edge/experiments.py: bestsellers by segment, then region, then overall)
is planned in Python; on a page with rules each slot goes through the same compiled helpers
as the personalized planner (``edge.scoring.merchandise``), with the same bundle.
"""

from __future__ import annotations

import numpy as np

from edge.config import Settings
from edge.recommend import hide
from edge.scoring import merchandise as merch
from edge.scoring.merchandise import H_TEXT_FEATURED, H_TEXT_PINNED, Rules
from edge.slots.chain import NOTHING, Picked
from edge.slots.context import Context
from edge.slots.reasons import popularity
from edge.slots.texts import TEXTS
from edge.store import Snapshot


def control_slot(snap: Snapshot, ctx: Context, settings: Settings, rules: Rules, scope: int,
                 hidden: np.ndarray) -> Picked:
    """One control slot under the rules of ``scope``; ``hidden``: what it may not show."""
    a = snap.arrays
    n = ctx.n
    deny = merch.denied_categories(rules, scope)
    exclude = merch.denied_items(rules, scope, hidden)
    explain = popularity(snap)
    row = merch.boost_row(rules, scope)
    mult = rules.mult[row] if row >= 0 else None
    sources = [("bestsellers_segment", ctx.segment), ("bestsellers_region", ctx.region), ("bestsellers", 0)]
    out_ids = np.empty(n, np.int32)
    out_scores = np.empty(n, np.float32)
    why: list[bytes] = []
    have = 0
    for name, group in sources:
        if group < 0 or have >= n:
            continue
        items, scores = snap.ranking(name, group)
        ids, got_scores = merch.ranked(rules, scope, items, scores, a["in_stock"], a["price"], a["category"], exclude,
                                       ctx.price_lo, ctx.price_hi, ctx.cat_allow, deny, settings.max_per_category,
                                       n - have)
        if not ids.size:
            continue
        out_ids[have:have + ids.size] = ids
        out_scores[have:have + ids.size] = got_scores
        boosted = mult[ids] > 1.0 if mult is not None else np.zeros(ids.size, np.bool_)
        featured = TEXTS.encoded[int(rules.table[H_TEXT_FEATURED])]
        why += [featured if b else r for b, r in zip(boosted.tolist(), explain(ids), strict=True)]  # type: ignore[misc]
        have += ids.size
        exclude = hide(exclude, ids)
    # Pins move picks around: each pick carries its reason's index, a pin the pinned text.
    out_text = np.full(n, -1, np.int32)
    out_num = np.arange(n, dtype=np.float64)
    got = merch.pin(rules, scope, out_ids, out_scores, out_text, out_num, 0, have, n, exclude, a["in_stock"],
                    a["price"], a["category"], ctx.price_lo, ctx.price_hi, ctx.cat_allow, deny)
    if got == 0:
        return NOTHING
    pinned_text = int(rules.table[H_TEXT_PINNED])
    reasons = [TEXTS.encoded[pinned_text] if t == pinned_text else why[int(i)]
               for t, i in zip(out_text[:got].tolist(), out_num[:got].tolist(), strict=True)]
    return Picked(out_ids[:got].copy(), out_scores[:got].copy(), reasons)  # type: ignore[arg-type]
