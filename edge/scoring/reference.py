"""Slow, obvious numpy/Python versions of every scoring kernel, for tests only.

Each ``X_reference`` has the signature and contract of kernel ``X`` and is written for
clarity, not speed: dense dicts, full sorts, Python loops.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int32]
FloatArray = npt.NDArray[np.float32]


def _result(ids: list[int] | npt.NDArray[np.integer], scores: list[float] | npt.NDArray[np.floating],
            ) -> tuple[IntArray, FloatArray]:
    return np.asarray(ids, dtype=np.int32).reshape(-1), np.asarray(scores, dtype=np.float32).reshape(-1)


def recency_weights_reference(m: int, half_life: float) -> FloatArray:
    m = max(m, 0)
    if not half_life > 0:
        return np.ones(m, dtype=np.float32)
    age = np.arange(m - 1, -1, -1, dtype=np.float64)
    with np.errstate(over="ignore"):  # a tiny half-life overflows age / half_life to inf: weight 0
        return (0.5 ** (age / half_life)).astype(np.float32)


def blend_reference(indptr: np.ndarray, indices: np.ndarray, scores: np.ndarray, seeds: np.ndarray,
                    seed_weights: np.ndarray, table_weights: np.ndarray) -> tuple[IntArray, FloatArray]:
    n_items = indptr.shape[1] - 1
    total: dict[int, float] = {}
    for seed, sw in zip(seeds.tolist(), seed_weights.tolist(), strict=False):
        if not 0 <= seed < n_items or sw == 0:
            continue
        for t, tw in enumerate(table_weights.tolist()[: indptr.shape[0]]):
            if tw == 0:
                continue
            for j in range(int(indptr[t, seed]), int(indptr[t, seed + 1])):
                c = int(indices[j])
                if 0 <= c < n_items:
                    total[c] = total.get(c, 0.0) + sw * tw * float(scores[j])
    return _result(list(total), list(total.values()))


def sorted_unique_reference(ids: np.ndarray) -> IntArray:
    return np.unique(ids).astype(np.int32)


def eligible_reference(ids: np.ndarray, in_stock: np.ndarray, price: np.ndarray, category: np.ndarray,
                       exclude: np.ndarray, price_lo: float, price_hi: float, cat_allow: np.ndarray,
                       cat_deny: np.ndarray) -> npt.NDArray[np.bool_]:
    n_items = min(len(in_stock), len(price), len(category))
    band = price_lo > -np.inf or price_hi < np.inf
    lo, hi = np.float32(price_lo), np.float32(price_hi)
    excluded = set(exclude.tolist())
    out = np.zeros(len(ids), dtype=bool)
    for i, item in enumerate(ids.tolist()):
        if not 0 <= item < n_items or not in_stock[item] or item in excluded:
            continue
        p = price[item]
        if band and (np.isnan(p) or p < lo or p > hi):
            continue
        c = int(category[item])
        if (len(cat_allow) and c not in cat_allow.tolist()) or c in cat_deny.tolist():
            continue
        out[i] = True
    return out


def _order(ids: np.ndarray, scores: np.ndarray) -> np.ndarray:
    # Score descending (NaN last), then id ascending.
    return np.lexsort((ids.astype(np.int64), -scores.astype(np.float32)))


def top_k_reference(ids: np.ndarray, scores: np.ndarray, k: int) -> tuple[IntArray, FloatArray]:
    order = _order(ids, scores)[: max(k, 0)]
    return _result(ids[order], scores[order])


def diversify_reference(ids: np.ndarray, scores: np.ndarray, category: np.ndarray, max_per_category: int,
                        k: int) -> tuple[IntArray, FloatArray]:
    counts: dict[int, int] = {}
    out_ids: list[int] = []
    out_scores: list[float] = []
    for item, score in zip(ids.tolist(), scores.tolist(), strict=False):
        if len(out_ids) >= k:
            break
        c = int(category[item]) if 0 <= item < len(category) else -1
        if max_per_category > 0 and c >= 0:
            if counts.get(c, 0) >= max_per_category:
                continue
            counts[c] = counts.get(c, 0) + 1
        out_ids.append(item)
        out_scores.append(score)
    return _result(out_ids, out_scores)


def rank_reference(ids: np.ndarray, scores: np.ndarray, in_stock: np.ndarray, price: np.ndarray,
                   category: np.ndarray, exclude: np.ndarray, price_lo: float, price_hi: float,
                   cat_allow: np.ndarray, cat_deny: np.ndarray, max_per_category: int,
                   k: int) -> tuple[IntArray, FloatArray]:
    mask = eligible_reference(ids, in_stock, price, category, exclude, price_lo, price_hi, cat_allow,
                              cat_deny)
    ids, scores = ids[mask], scores[mask]
    order = _order(ids, scores)
    return diversify_reference(ids[order], scores[order], category, max_per_category, k)


def from_ranked_reference(ranked_items: np.ndarray, ranked_scores: np.ndarray, in_stock: np.ndarray,
                          price: np.ndarray, category: np.ndarray, exclude: np.ndarray, price_lo: float,
                          price_hi: float, cat_allow: np.ndarray, cat_deny: np.ndarray,
                          max_per_category: int, k: int) -> tuple[IntArray, FloatArray]:
    mask = eligible_reference(ranked_items, in_stock, price, category, exclude, price_lo, price_hi,
                              cat_allow, cat_deny)
    return diversify_reference(ranked_items[mask], ranked_scores[mask], category, max_per_category, k)


def evidence_reference(indptr: np.ndarray, indices: np.ndarray, counts: np.ndarray, table: int,
                       seeds: np.ndarray, candidates: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    n = indptr.shape[1] - 1
    best = np.zeros(len(candidates), dtype=np.int32)
    best_seed = np.full(len(candidates), -1, dtype=np.int32)
    for seed in seeds:
        if not 0 <= seed < n:
            continue
        row = slice(indptr[table, seed], indptr[table, seed + 1])
        for neighbour, count in zip(indices[row], counts[row], strict=True):
            hit = (candidates == neighbour) & (count > best)
            best[hit] = count
            best_seed[hit] = seed
    return best, best_seed


def union_sorted_reference(exclude: np.ndarray, ids: np.ndarray) -> np.ndarray:
    return np.union1d(exclude, ids).astype(np.int32)


def favourite_category_reference(history: np.ndarray, category: np.ndarray, best_items: np.ndarray,
                                 half_life: float = 4.0) -> int:
    """The category with the most recency-weighted views, else the first known category among
    the top 50 bestsellers, else -1."""
    if history.size:
        cats = category[history]
        weights = recency_weights_reference(int(history.shape[0]), half_life)
        known = cats >= 0
        if known.any():
            return int(np.argmax(np.bincount(cats[known], weights=weights[known])))
    for i in best_items[:50]:
        if category[i] >= 0:
            return int(category[i])
    return -1


def margin_boost_reference(ids: np.ndarray, scores: np.ndarray, margin: np.ndarray,
                           k: int) -> tuple[IntArray, FloatArray]:
    """score x (1 + margin) where the margin is known, best first (stable), the first k."""
    m = margin[ids]
    boosted = (scores * np.where(np.isnan(m), 1.0, 1.0 + m)).astype(np.float32)
    order = np.argsort(-boosted, kind="stable")[:k]
    return ids[order].astype(np.int32), boosted[order]
