"""Offline table computations of ``skylt build``: neighbours, rankings and counts per item."""

from edge.build.tables.content import similar_content
from edge.build.tables.cooccur import count_pairs, directed_pairs, group_starts, top_k_csr, undirected_pairs
from edge.build.tables.neighbours import also_bought, also_viewed, bought_together, viewed_next
from edge.build.tables.popularity import (
    DEFAULT_TYPE_WEIGHTS,
    bestsellers,
    decayed_popularity,
    event_weights,
    recent_counts,
    trending,
)

__all__ = [
    "DEFAULT_TYPE_WEIGHTS",
    "also_bought",
    "also_viewed",
    "bestsellers",
    "bought_together",
    "count_pairs",
    "decayed_popularity",
    "directed_pairs",
    "event_weights",
    "group_starts",
    "recent_counts",
    "similar_content",
    "top_k_csr",
    "trending",
    "undirected_pairs",
    "viewed_next",
]
