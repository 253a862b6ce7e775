"""The evidence behind a recommendation: which seed explains a candidate, and how strongly.

Explanations such as "bought together 41 times" need, for each chosen item, the seed whose
neighbour row holds it with the largest count. Rows are short (top-K), so a scan is cheap.
"""

from __future__ import annotations

import numba
import numpy as np


@numba.njit(cache=True, nogil=True)
def evidence(indptr, indices, counts, table, seeds, candidates):
    """For each candidate: (largest count in ``table`` over the seeds' rows, that seed or -1)."""
    n = indptr.shape[1] - 1
    best = np.zeros(candidates.shape[0], dtype=np.int32)
    best_seed = np.full(candidates.shape[0], -1, dtype=np.int32)
    for s in range(seeds.shape[0]):
        seed = seeds[s]
        if seed < 0 or seed >= n:
            continue
        for j in range(indptr[table, seed], indptr[table, seed + 1]):
            neighbour = indices[j]
            for c in range(candidates.shape[0]):
                if candidates[c] == neighbour and counts[j] > best[c]:
                    best[c] = counts[j]
                    best_seed[c] = seed
    return best, best_seed
