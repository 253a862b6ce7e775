"""Request-time scoring kernels.

Every kernel is a module-level ``numba.njit(cache=True, nogil=True)`` function over plain
arrays: it reads the snapshot's read-only arrays without copying them, never writes to
its inputs, never raises, and returns exactly int32 ids and float32 scores. Ids outside
the catalog are ignored; empty inputs, k <= 0 or all-zero weights give empty results.

Numba compiles one specialisation per combination of argument types (dtype, layout,
read-only, alignment), so the served path is run once with the served arrays before the
server reports ready (``edge.serve.warm``). Request-side arguments must keep the types used there: writable
C-contiguous int32 ids (seeds, cart, exclude, category lists), float32 weight arrays,
Python int and float scalars (a numpy float32 price bound is another specialisation, so
pass ``float(...)``); anything else compiles on first use.

Kernels take module-level helpers from sibling modules. Numba's on-disk cache would key a
function on its own file only; ``edge.scoring.cache`` stamps every kernel with all of this
package's sources instead, so editing a helper compiles its callers again.
"""

from __future__ import annotations

import edge.scoring.cache  # noqa: F401  # first: numba picks a kernel's cache locator when it is decorated
from edge.scoring.blend import blend, recency_weights
from edge.scoring.diversify import diversify
from edge.scoring.evidence import evidence
from edge.scoring.filters import eligible, sorted_unique, union_sorted
from edge.scoring.rank import from_ranked, rank
from edge.scoring.topk import top_k

__all__ = [
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
]
