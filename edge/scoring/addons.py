"""Add-ons for a whole cart: cheap complements from one neighbour table.

One kernel call per request: blend the cart over a single table (typically
bought_together), keep in-stock items with a known price under the cap, take the top k.
"""

from __future__ import annotations

import numba
import numpy as np

from edge.scoring.blend import _accumulate
from edge.scoring.filters import _in_sorted
from edge.scoring.topk import _decode, _key, _partial_sort


@numba.njit(cache=True, nogil=True)
def addons(indptr, indices, scores, table, cart, cart_weights, in_stock, price, category, exclude,
           price_cap, k):
    """Top-k (ids int32, scores float32) neighbours of the cart in table ``table``, each
    in stock, with a known price <= price_cap and not in ``exclude`` (sorted unique;
    normally includes the cart itself). ``category`` is accepted for signature symmetry
    with ``rank`` and is not used. An out-of-range table gives an empty result."""
    n_tables = indptr.shape[0]
    tw = np.zeros(n_tables, np.float32)
    if 0 <= table < n_tables and k > 0:
        tw[table] = 1.0
    cand, acc = _accumulate(indptr, indices, scores, cart, cart_weights, tw)

    n_items = min(in_stock.shape[0], price.shape[0])
    cap = np.float32(price_cap)
    keys = np.empty(cand.shape[0], np.int64)
    m = 0
    for i in range(cand.shape[0]):
        item = cand[i]
        if item >= n_items or not in_stock[item]:
            continue
        p = price[item]
        # NaN price (unknown) fails this comparison too.
        if not p <= cap:
            continue
        if exclude.shape[0] > 0 and _in_sorted(exclude, item):
            continue
        keys[m] = _key(item, acc[i])
        m += 1
    n_keep = max(min(k, m), 0)
    _partial_sort(keys, 0, m, n_keep)
    return _decode(keys[:n_keep])
