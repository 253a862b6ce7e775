"""Recipes shared by the slot planner and the offline evaluation.

Each recipe turns dense seed ids into ranked candidates by blending neighbour tables and
ranking the blend under filters; the weights are the one place a recipe's taste is set.
Both the HTTP slots and ``skylt evaluate`` call these, so what is measured is what is served.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from edge.layout import NEIGHBOUR_TABLES
from edge.scoring import blend, from_ranked, rank, recency_weights, sorted_unique, union_sorted
from edge.store import Snapshot

EMPTY_IDS = np.zeros(0, dtype=np.int32)
EMPTY_SCORES = np.zeros(0, dtype=np.float32)
NO_BAND = (-np.inf, np.inf)


def table_weights(**weights: float) -> np.ndarray:
    """Weights over the stacked neighbour tables, by table name; unnamed tables weigh 0."""
    unknown = set(weights) - set(NEIGHBOUR_TABLES)
    if unknown:
        raise ValueError(f"unknown neighbour tables: {sorted(unknown)}")
    return np.array([weights.get(name, 0.0) for name in NEIGHBOUR_TABLES], dtype=np.float32)


# Tastes, chosen on a validation window of UCI Online Retail (sessions starting between 60 %
# and 80 % of the timeline, trained on what came before), never on the reported test split.
HISTORY = table_weights(also_viewed=1.0, viewed_next=1.0, also_bought=0.2, bought_together=0.5,
                        similar_content=0.05)
CART = table_weights(also_viewed=1.0, viewed_next=0.5, bought_together=0.5, also_bought=0.2,
                     similar_content=0.05)


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
