"""The served planner, called the way ``GET /v1/recommend`` calls it, for offline measurement.

Evaluation and build-time tuning both ask one question: which items would this page's slot
show for this context, under this weight matrix and history half-life? ``plan`` is the one
place that question reaches the compiled planner (``edge.slots.compiled``), so what is
measured is what is served; when the planner's arguments change shape, only ``plan`` follows.
``context`` mirrors ``edge.slots.context.build_context`` for dense ids
(``tests/evaluate/test_served.py`` checks both give the same slots).
"""

from __future__ import annotations

import dataclasses

import numpy as np

from edge.config import Settings
from edge.layout import NEIGHBOUR_TABLES, Tune
from edge.recommend import EMPTY_IDS
from edge.scoring.page import plan_page
from edge.slots import compiled
from edge.slots.context import Context
from edge.slots.programs import WEIGHTS
from edge.store import Snapshot

# Rows of the served weight matrix, as the manifest's ``tune`` names them.
RECIPES = ("history", "cart", "similar", "together", "content")
assert len(RECIPES) == WEIGHTS.shape[0] and len(NEIGHBOUR_TABLES) == WEIGHTS.shape[1]


def default_weights() -> np.ndarray:
    """A copy of the served defaults (recipe x neighbour table)."""
    return WEIGHTS.copy()


def tuned_weights(tune: Tune | None, base: np.ndarray | None = None) -> np.ndarray:
    """``base`` (the defaults) with a manifest's tuned entries over it: unknown names are ignored."""
    out = (default_weights() if base is None else base).astype(np.float32, copy=True)
    if tune is not None:
        for recipe, tables in tune.weights.items():
            if recipe in RECIPES:
                for table, weight in tables.items():
                    if table in NEIGHBOUR_TABLES:
                        out[RECIPES.index(recipe), NEIGHBOUR_TABLES.index(table)] = weight
    return out


def context(page: str, *, item: int = -1, history: np.ndarray = EMPTY_IDS, cart: np.ndarray = EMPTY_IDS,
            n: int = 10) -> Context:
    """A request's context from dense ids, as ``build_context`` makes it for an anonymous shopper
    (history most recent last, repeats collapsed to their latest position; cart in order)."""
    hist = np.asarray(history, np.int32)
    if hist.size:
        hist = np.asarray(list(dict.fromkeys(hist[::-1].tolist()))[::-1], np.int32)
    current = np.array([item], np.int32) if item >= 0 else EMPTY_IDS
    return Context(page=page, item=item, cart=np.asarray(cart, np.int32), history=hist, purchased=EMPTY_IDS,
                   region=-1, segment=-1, n=n, price_lo=-np.inf, price_hi=np.inf, cat_allow=EMPTY_IDS,
                   current=current, excluded=EMPTY_IDS, blocked=EMPTY_IDS, free_shipping_gap=None, ignored=0,
                   anchor=current if item >= 0 else hist[-1:].copy())


def plan(snap: Snapshot, ctx: Context, slots: tuple[str, ...], settings: Settings,
         weights: np.ndarray | None = None, half_life: float | None = None) -> tuple:
    """``plan_page``'s answer (ids, scores, text ids, numbers, slot ends, favourite category) for
    ``ctx``, with ``weights`` (recipe x table) and ``half_life`` in place of the served ones when given."""
    if half_life is not None:
        settings = dataclasses.replace(settings, history_half_life=float(half_life))
    args = list(compiled._plan_args(snap, ctx, slots, settings))
    if weights is not None:
        at = len(compiled.snapshot_args(snap)) + 1  # after the snapshot's arguments and the slot rows
        assert args[at] is WEIGHTS, "the planner's arguments changed: re-point edge.evaluate.served.plan"
        args[at] = np.ascontiguousarray(weights, dtype=np.float32)
    return plan_page(*args)


def slot_ids(snap: Snapshot, ctx: Context, slot: str, settings: Settings, weights: np.ndarray | None = None,
             half_life: float | None = None) -> np.ndarray:
    """The dense ids one slot shows."""
    return plan(snap, ctx, (slot,), settings, weights, half_life)[0]
