"""Candidates for ``skylt evaluate``: dense seed ids blended over the neighbour tables and
ranked under filters, one kernel call each, with the recipes' default weights
(``edge.slots.tunables``). Served slots run the compiled programs instead
(``edge.slots.compiled``); the evaluation moves there with the tuning work.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from edge.scoring import blend, from_ranked, rank, recency_weights, sorted_unique, union_sorted
from edge.slots.tunables import DEFAULT_WEIGHTS, weight_row
from edge.store import Snapshot

EMPTY_IDS = np.zeros(0, dtype=np.int32)
EMPTY_SCORES = np.zeros(0, dtype=np.float32)
NO_BAND = (-np.inf, np.inf)


HISTORY = weight_row(DEFAULT_WEIGHTS["history"])
CART = weight_row(DEFAULT_WEIGHTS["cart"])


class Filters(NamedTuple):
    """What a slot may show. ``exclude`` must be sorted and unique (``exclusion`` builds it).

    A NamedTuple because slots narrow filters on every step: ``_replace`` is cheap."""

    exclude: np.ndarray = EMPTY_IDS
    price_lo: float = -np.inf
    price_hi: float = np.inf
    cat_allow: np.ndarray = EMPTY_IDS
    cat_deny: np.ndarray = EMPTY_IDS
    max_per_category: int = 0


def exclusion(*groups: np.ndarray) -> np.ndarray:
    """Sorted unique int32 union of id arrays: the form every filter kernel takes."""
    arrays = [g for g in groups if g.size]
    if not arrays:
        return EMPTY_IDS
    merged = arrays[0] if len(arrays) == 1 else np.concatenate(arrays)
    return sorted_unique(merged.astype(np.int32, copy=False))


def hide(exclude: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """``exclude`` (already sorted and unique) plus ``ids``."""
    return union_sorted(exclude, ids) if ids.size else exclude


Blended = tuple[np.ndarray, np.ndarray]


def from_seeds(snap: Snapshot, seeds: np.ndarray, weights: np.ndarray, filters: Filters, k: int,
               half_life: float = 0.0, seed_weights: np.ndarray | None = None,
               memo: dict[tuple[int, ...], tuple[object, Blended]] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Blend the neighbours of ``seeds`` (most recent last) and rank the blend.

    Seeds weigh by recency (``half_life`` in positions) unless ``seed_weights`` are given.
    Slots of one request that blend the same seeds the same way share the blend via ``memo``."""
    if seeds.size == 0 or k <= 0:
        return EMPTY_IDS, EMPTY_SCORES
    a = snap.arrays
    key = (id(seeds), id(weights), id(seed_weights), int(half_life * 1000))
    hit = memo.get(key) if memo is not None else None
    if hit is not None:
        ids, scores = hit[1]
    else:
        if seed_weights is None:
            seed_weights = recency_weights(int(seeds.shape[0]), half_life)
        ids, scores = blend(a["nbr_indptr"], a["nbr_indices"], a["nbr_scores"], seeds, seed_weights, weights)
        if memo is not None:
            # The inputs ride along so their ids cannot be reused while the memo lives.
            memo[key] = ((seeds, weights, seed_weights), (ids, scores))
    return rank(ids, scores, a["in_stock"], a["price"], a["category"], filters.exclude, filters.price_lo,
                filters.price_hi, filters.cat_allow, filters.cat_deny, filters.max_per_category, k)


def from_ranking(snap: Snapshot, name: str, group: int, filters: Filters, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Walk a precomputed ranking (bestsellers, trending) under filters."""
    if k <= 0:
        return EMPTY_IDS, EMPTY_SCORES
    a = snap.arrays
    items, scores = snap.ranking(name, group)
    return from_ranked(items, scores, a["in_stock"], a["price"], a["category"], filters.exclude,
                       filters.price_lo, filters.price_hi, filters.cat_allow, filters.cat_deny,
                       filters.max_per_category, k)
