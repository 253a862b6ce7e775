"""Basket scorings: the bought-together table's normalisations and the category fallback.

Everything here is scored from the bought-together ``Pairs`` aggregate (c_ij: orders holding
both i and j; n_i: orders holding i), which both engines already count, plus the catalog's
categories: the Spark builder counts nothing new and stays bit-identical. The build's tuning
(``edge.evaluate.tune``) picks the normalisation per shop on its validation window; the
default is the one every shop gets without enough validation cases.

Normalisations of c_ij (``SCORINGS``; all symmetric except ``confidence`` with alpha != 0.5):

- ``confidence`` (default): c / (c + shrinkage) * c / (n_i^alpha * n_j^(1 - alpha));
- ``bm25``: implicit's BM25 item-kNN read from pair counts, c_ij * f(n_i) * f(n_j) with
  f(n) = (k1 + 1) / (k1 * (1 - b + b * n / mean n) + 1): each order's cells weighted by BM25 and
  dotted. implicit also weighs each order by an idf of its size, which pair counts do not hold,
  so that factor is taken as constant;
- ``cosine``: item-kNN with shrinkage, c_ij / (sqrt(n_i * n_j) + shrinkage): rare pairs damped.

``category_fallback`` is a table of its own (``bought_category``): each item's best-selling
other items of its category, scored as a share of the category's best. Blended into the
cart at a small weight, it ranks below every co-occurrence and fills the rest of the slot with
the cart's categories' bestsellers, categories that several cart items share first.
"""

from __future__ import annotations

from typing import Any

import numba
import numpy as np

from edge.build.frames import Catalog, Neighbours
from edge.build.tables.cooccur import Pairs, empty_neighbours, top_k_csr
from edge.build.tables.neighbours import basket_scores, cosine_scores

SCORINGS = ("confidence", "bm25", "cosine")
# The bought-together table as every shop gets it unless its tuning chose otherwise.
DEFAULT_SCORING: dict[str, float | str] = {"method": "confidence", "shrinkage": 3.0, "alpha": 0.5}
CATEGORY_K = 20   # fallback entries per item: a slot shows at most a few dozen


def bm25_scores(pairs: Pairs, n_items: int, k: int, *, k1: float = 100.0, b: float = 0.8) -> Neighbours:
    """c_ij * f(n_i) * f(n_j), f(n) = (k1 + 1) / (k1 * (1 - b + b * n / mean n) + 1), the mean over
    items in at least one order; both directions of every pair."""
    if pairs.rows.shape[0] == 0:
        return empty_neighbours(n_items)
    n = pairs.n.astype(np.float64)
    mean = float(n[n > 0].mean())
    f = (k1 + 1.0) / (k1 * ((1.0 - b) + b * n / mean) + 1.0)
    scores = pairs.counts.astype(np.float64) * f[pairs.rows] * f[pairs.cols]
    return top_k_csr(pairs.rows, pairs.cols, scores, pairs.counts, n_items, k, symmetric=True)


def bought_together_scores(pairs: Pairs, n_items: int, k: int, scoring: dict[str, Any] | None = None) -> Neighbours:
    """The bought-together table under ``scoring`` (``DEFAULT_SCORING`` with the given keys
    replaced; ``method`` one of ``SCORINGS``; ``k``, if given, in place of the build's ``k``)."""
    s = {**DEFAULT_SCORING, **(scoring or {})}
    method, k = s["method"], int(s.get("k", k))
    if method == "confidence":
        return basket_scores(pairs, n_items, k, shrinkage=float(s["shrinkage"]), alpha=float(s["alpha"]))
    if method == "bm25":
        return bm25_scores(pairs, n_items, k, k1=float(s.get("k1", 100.0)), b=float(s.get("b", 0.8)))
    if method == "cosine":
        return cosine_scores(pairs, n_items, k, shrinkage=float(s["shrinkage"]))
    raise ValueError(f"unknown basket scoring {method!r}")


def category_fallback(pairs: Pairs, catalog: Catalog, k: int = CATEGORY_K) -> Neighbours:
    """Per item, the ``k`` other items of its category in most orders (ties by id), scored
    n_j / (the category's largest n): 1 for the category's bestseller. Items never ordered,
    and items without a category, appear in no row; an item without a category has none.
    ``counts`` are n_j."""
    n_items = len(catalog)
    n = pairs.n.astype(np.int64)
    cat = np.asarray(catalog.category, np.int64)
    if n_items == 0 or k <= 0 or not ((n > 0) & (cat >= 0)).any():
        return empty_neighbours(n_items)
    n_cats = int(cat.max()) + 1
    # Each category's k + 1 best sellers (one more, so that dropping the item itself leaves k).
    sold = np.flatnonzero((n > 0) & (cat >= 0))
    sold = sold[np.lexsort((sold, -n[sold], cat[sold]))]
    first = np.searchsorted(cat[sold], np.arange(n_cats + 1))
    rank = np.arange(sold.shape[0]) - first[cat[sold]]
    top = sold[rank <= k]
    length = np.minimum(np.diff(first), k + 1)          # entries per category
    start = np.r_[0, np.cumsum(length)[:-1]].astype(np.int64)  # each category's first entry in ``top``
    best = np.zeros(n_cats, np.float64)
    has = length > 0
    best[has] = n[top[start[has]]]
    # Scored once per category list, then copied into each member's row.
    top_scores = (n[top] / best[cat[top]]).astype(np.float32)
    indptr, cand, scores, counts = _expand(cat, top.astype(np.int32), top_scores, n[top].astype(np.int32), start,
                                           length.astype(np.int64), int(k))
    return Neighbours(indptr=indptr, indices=cand, scores=scores, counts=counts)


@numba.njit(cache=True)
def _expand(cat, top, top_scores, top_counts, start, length, k):
    # Each item with a category repeats its category's list without itself, cut to k.
    n_items = cat.shape[0]
    indptr = np.zeros(n_items + 1, np.int64)
    for i in range(n_items):
        m = 0
        c = cat[i]
        if c >= 0:
            for p in range(start[c], start[c] + length[c]):
                if top[p] != i and m < k:
                    m += 1
        indptr[i + 1] = indptr[i] + m
    out = np.empty(indptr[n_items], np.int32)
    scores = np.empty(indptr[n_items], np.float32)
    counts = np.empty(indptr[n_items], np.int32)
    for i in range(n_items):
        c = cat[i]
        o = indptr[i]
        if c < 0:
            continue
        for p in range(start[c], start[c] + length[c]):
            if top[p] != i and o < indptr[i + 1]:
                out[o], scores[o], counts[o] = top[p], top_scores[p], top_counts[p]
                o += 1
    return indptr, out, scores, counts
