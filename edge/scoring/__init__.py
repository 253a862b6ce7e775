"""Request-time scoring kernels.

Every kernel is a module-level ``numba.njit(cache=True, nogil=True)`` function over plain
arrays: it reads the snapshot's read-only arrays without copying them, never writes to
its inputs, never raises, and returns exactly int32 ids and float32 scores. Ids outside
the catalog are ignored; empty inputs, k <= 0 or all-zero weights give empty results.

Numba compiles one specialisation per combination of argument types (dtype, layout,
read-only, alignment), so ``warm_up`` must be called with the served arrays before the
server reports ready. Request-side arguments must keep the types used there: writable
C-contiguous int32 ids (seeds, cart, exclude, category lists), float32 weight arrays,
Python int and float scalars (a numpy float32 price bound is another specialisation, so
pass ``float(...)``); anything else compiles on first use.

Kernels take module-level helpers from sibling modules. Numba's on-disk cache keys a
function on its own file only, so after editing a helper module clear the cached
``edge/scoring/__pycache__/*.nbi``/``*.nbc`` files, or callers keep the old helper.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from edge.scoring.addons import addons
from edge.scoring.blend import blend, recency_weights
from edge.scoring.diversify import diversify
from edge.scoring.evidence import evidence
from edge.scoring.filters import eligible, sorted_unique, union_sorted
from edge.scoring.rank import from_ranked, rank
from edge.scoring.topk import top_k

__all__ = [
    "STRATEGIES",
    "addons",
    "blend",
    "diversify",
    "eligible",
    "evidence",
    "from_ranked",
    "rank",
    "recency_weights",
    "sorted_unique",
    "top_k",
    "union_sorted",
    "warm_up",
]

STRATEGIES: dict[str, Callable[..., Any]] = {
    "blend": blend,
    "rank": rank,
    "from_ranked": from_ranked,
    "addons": addons,
}


def warm_up(indptr: np.ndarray, indices: np.ndarray, scores: np.ndarray, in_stock: np.ndarray,
            price: np.ndarray, category: np.ndarray, rankings_items: np.ndarray,
            rankings_scores: np.ndarray) -> None:
    """Call every kernel once with the served arrays and request-shaped arguments (fresh
    writable int32/float32 arrays, Python scalars), so each specialisation the server
    uses is compiled or loaded from the on-disk cache before the first request."""
    n_items = indptr.shape[1] - 1
    history = np.arange(min(n_items, 3), dtype=np.int32)
    weights = recency_weights(len(history), 2.0)
    table_weights = np.ones(indptr.shape[0], dtype=np.float32)
    exclude = sorted_unique(history)
    no_categories = np.empty(0, dtype=np.int32)
    inf = float("inf")

    ids, summed = blend(indptr, indices, scores, history, weights, table_weights)
    eligible(ids, in_stock, price, category, exclude, -inf, inf, no_categories, no_categories)
    top, top_scores = top_k(ids, summed, 10)
    diversify(top, top_scores, category, 2, 10)
    rank(ids, summed, in_stock, price, category, exclude, 0.0, inf, no_categories, no_categories, 2, 10)
    from_ranked(rankings_items, rankings_scores, in_stock, price, category, exclude, -inf, inf,
                no_categories, no_categories, 2, 10)
    # Lists built per request (the shopper's own items) are writable: another specialisation.
    from_ranked(history.copy(), weights.copy(), in_stock, price, category, exclude, -inf, inf,
                no_categories, no_categories, 2, 10)
    addons(indptr, indices, scores, 0, history, weights, in_stock, price, category, exclude, inf, 10)
