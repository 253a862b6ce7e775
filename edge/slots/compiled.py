"""The served planner: a page's slot programs in one compiled call.

``plan_encoded`` (what requests use) plans and splices in ``edge.splice.page_items``;
``plan_slots`` plans only and renders reasons in Python, for callers that want the picks.
Arguments that depend only on the snapshot are gathered once per snapshot; per request
only the context's arrays and the (possibly overlaid) price array are read.
"""

from __future__ import annotations

import time

import numpy as np

from edge.config import Settings
from edge.overlay.resolve import overlay_of
from edge.scoring import page as k
from edge.scoring.merchandise import EMPTY, Rules
from edge.scoring.page import plan_page
from edge.slots.chain import Picked
from edge.slots.context import Context
from edge.slots.programs import STEPS, WEIGHTS, co_occurrence_specs, slot_rows
from edge.slots.texts import TEXTS
from edge.splice import PIECES, page_items
from edge.store import Snapshot

_ARGS = "_page_kernel_args"
_COOC = "_page_kernel_cooc"
_FRAGMENTS = "_spliced_fragments"
NAN = float("nan")
_NO_FRAGMENTS = (np.zeros(0, np.int32), np.zeros(1, np.int64), np.zeros(0, np.uint8))
RANKINGS = ("bestsellers", "bestsellers_category", "bestsellers_region", "bestsellers_segment", "trending")
assert RANKINGS.index("bestsellers") == k.R_BESTSELLERS and RANKINGS.index("trending") == k.R_TRENDING


def _aligned(a: np.ndarray) -> np.ndarray:
    """Numba types an unaligned array differently; small LMDB values may be unaligned."""
    if a.flags.aligned and a.flags.c_contiguous:
        return a
    copy = np.ascontiguousarray(a).copy()
    copy.flags.writeable = False
    return copy


def snapshot_args(snap: Snapshot) -> tuple:
    """The kernel's arguments that only change with the snapshot (and the overlay's prices:
    a price override swaps ``arrays["price"]``, and the arguments are gathered again)."""
    a = snap.arrays
    cached = snap.derived.get(_ARGS)
    if cached is None or cached[0] is not a["price"]:  # type: ignore[index]
        args = (a["nbr_indptr"], a["nbr_indices"], a["nbr_scores"], a["nbr_counts"], a["in_stock"], a["price"],
                a["category"], a["margin"], a["purchases_7d"], a["purchases_30d"], a["views_7d"],
                tuple(_aligned(a[f"{name}/items"]) for name in RANKINGS),
                tuple(_aligned(a[f"{name}/scores"]) for name in RANKINGS),
                tuple(_aligned(a[f"{name}/indptr"]) for name in RANKINGS),
                STEPS)
        cached = snap.derived[_ARGS] = (a["price"], args)
        snap.derived[_COOC] = co_occurrence_specs(snap.manifest.tables)
    return cached[1]  # type: ignore[index]


def _plan_args(snap: Snapshot, ctx: Context, slots: tuple[str, ...], settings: Settings) -> tuple:
    lo, hi = settings.upsell_band
    gap = ctx.free_shipping_gap
    return (*snapshot_args(snap), slot_rows(ctx.page, slots), WEIGHTS, snap.derived[_COOC],
            ctx.anchor, ctx.history, ctx.purchased, ctx.cart, ctx.current, ctx.excluded, ctx.blocked, ctx.cat_allow,
            ctx.price_lo, ctx.price_hi, ctx.n, ctx.region, ctx.segment,
            NAN if gap is None else float(gap), settings.max_per_category, float(settings.history_half_life),
            float(lo), float(hi), float(settings.addon_cap), float(settings.addon_cart_share), snap.has_views)


def page_rules(snap: Snapshot, page: str) -> Rules:
    """Merchandising rules: the page's bundle, compiled with the overlay (``EMPTY`` when it has none)."""
    overlay = overlay_of(snap)
    return EMPTY if overlay is None else overlay.rules.get(page, EMPTY)


def plan_picks(snap: Snapshot, ctx: Context, slots: tuple[str, ...], settings: Settings) -> tuple:
    """``plan_page``'s answer: (ids, scores, text ids, numbers, slot ends, favourite category)."""
    return plan_page(*(*_plan_args(snap, ctx, slots, settings), page_rules(snap, ctx.page)))


def plan_slots(snap: Snapshot, ctx: Context, slots: tuple[str, ...],
               settings: Settings) -> tuple[list[Picked], int, float]:
    """Every slot's picks, the favourite category and the seconds the plan took."""
    started = time.perf_counter()
    ids, scores, text_ids, numbers, ends, fav = plan_picks(snap, ctx, slots, settings)
    reasons = TEXTS.render(text_ids.tolist(), numbers.tolist())
    picked = []
    start = 0
    for end in ends.tolist():
        picked.append(Picked(ids[start:end], scores[start:end], reasons[start:end]))
        start = end
    return picked, int(fav), time.perf_counter() - started


def _overlay_fragments(snap: Snapshot) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The catalog overlay's changed fragments as (sorted ids, offsets, blob), once per overlay."""
    overlay = overlay_of(snap)
    if overlay is None or not overlay.fragments:
        return _NO_FRAGMENTS
    tables = overlay.__dict__.get(_FRAGMENTS)
    if tables is None:
        order = sorted(overlay.fragments)
        parts = [overlay.fragments[i] for i in order]
        offsets = np.zeros(len(parts) + 1, dtype=np.int64)
        offsets[1:] = np.cumsum([len(p) for p in parts])
        tables = (np.array(order, dtype=np.int32), offsets, np.frombuffer(b"".join(parts), np.uint8).copy())
        overlay.__dict__[_FRAGMENTS] = tables  # the overlay is immutable: so is this
    return tables


def page_items_args(snap: Snapshot, ctx: Context, slots: tuple[str, ...], settings: Settings) -> tuple:
    """Every argument of ``page_items`` for one request, in order."""
    kinds, offsets, blob = TEXTS.tables()
    return (*_plan_args(snap, ctx, slots, settings), snap.render_offsets, snap.arrays["render_blob"], kinds, offsets,
            blob, *_overlay_fragments(snap), PIECES, page_rules(snap, ctx.page))


def plan_encoded(snap: Snapshot, ctx: Context, slots: tuple[str, ...],
                 settings: Settings) -> tuple[bytes, list[int], list[int], int, float]:
    """The served path: every slot planned and its items spliced as JSON. Returns (items,
    byte end of each slot, item count of each slot, favourite category, seconds)."""
    started = time.perf_counter()
    items, slot_bytes, ends, fav = page_items(*page_items_args(snap, ctx, slots, settings))
    bounds = ends.tolist()
    counts = [b - a for a, b in zip([0, *bounds], bounds, strict=False)]
    return items.tobytes(), slot_bytes.tolist(), counts, int(fav), time.perf_counter() - started
