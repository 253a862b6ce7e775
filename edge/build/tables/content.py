"""Content similarity from the catalog: the fallback for items without behaviour.

score_ij = title_weight * cos_tfidf(i, j)
         + category_weight * catsim(i, j)
         + brand_weight * [same brand]
         + price_weight * catsim(i, j) * pricesim(i, j)

* cos_tfidf: cosine of L2-normalised TF-IDF title vectors (lowercased letter/digit tokens of
  two or more characters, stop words dropped; tf = 1 + log(count), idf = log(1 + N / df)).
  Tokens in more than ``max_df`` of the titles (at least 50, at most ``max_postings`` items)
  are dropped: they say little and would make the product quadratic.
* catsim: shared leading levels of the two category paths / the deeper path's depth (1 for
  the same category, 0.5 for siblings under a two-level path).
* pricesim: 1 - |ln(p_i / p_j)| / ln(price_ratio), floored at 0; weighted by catsim
  because prices only compare within a category.

Candidates of item i are the items sharing a kept title token plus, for each of its groups
(category, category x brand, brand, parent category), the ``window`` items on either side
of it in the group's price order: a big category contributes its nearest prices, not all of
its members. Rows are scored by a compiled kernel with a dense accumulator, split over
``numba.get_num_threads()`` threads (the kernel releases the GIL).
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numba
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from edge.build.frames import Catalog, Neighbours
from edge.build.tables.cooccur import empty_neighbours

STOP_WORDS = frozenset((
    "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "in", "into", "is", "it", "of", "on",
    "or", "the", "this", "that", "to", "with", "without", "new",
    "och", "att", "av", "en", "ett", "från", "för", "i", "med", "på", "som", "till", "utan", "det", "den",
    "de", "är", "eller", "ny", "nya",
    "der", "die", "das", "und", "mit", "für", "von", "zu", "ein", "eine",
))

_TOKEN_SPLIT = r"[^\p{L}\p{N}]+"
_MIN_DF_CAP = 50  # small catalogs keep every token in up to this many items


def _title_matrix(titles: list[str | None], max_df: float,
                  max_postings: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """CSR (indptr, token, weight) of L2-normalised TF-IDF title rows, frequent tokens dropped."""
    n = len(titles)
    empty = (np.zeros(n + 1, np.int64), np.empty(0, np.int32), np.empty(0, np.float32))
    if n == 0:
        return empty
    arr = pa.array(titles, type=pa.string())
    lists = pc.split_pattern_regex(pc.utf8_lower(arr), pattern=_TOKEN_SPLIT)
    flat = pc.list_flatten(lists)
    parent = pc.list_parent_indices(lists)
    keep = pc.and_(pc.greater_equal(pc.utf8_length(flat), 2),
                   pc.invert(pc.is_in(flat, value_set=pa.array(sorted(STOP_WORDS)))))
    flat, parent = pc.filter(flat, keep), pc.filter(parent, keep)
    if len(flat) == 0:
        return empty
    encoded = flat.dictionary_encode()
    token = np.asarray(encoded.indices, dtype=np.int64)
    item = np.asarray(parent, dtype=np.int64)
    vocab = len(encoded.dictionary)
    pairs, tf = np.unique(item * vocab + token, return_counts=True)
    item, token = pairs // vocab, pairs % vocab
    df = np.bincount(token, minlength=vocab)
    n_docs = np.unique(item).shape[0]
    cap = min(max_postings, max(int(max_df * n_docs), _MIN_DF_CAP))
    ok = df[token] <= cap
    item, token, tf = item[ok], token[ok], tf[ok]
    w = (1.0 + np.log(tf)) * np.log1p(n_docs / df[token])
    norm = np.sqrt(np.bincount(item, weights=w * w, minlength=n))
    w = w / norm[item]
    indptr = np.zeros(n + 1, np.int64)
    np.cumsum(np.bincount(item, minlength=n), out=indptr[1:])
    return indptr, token.astype(np.int32), w.astype(np.float32)


def _category_paths(categories: list[str], n_categories: int) -> tuple[np.ndarray, np.ndarray]:
    """Per category id: ids of its path prefixes (padded with -1) and its depth. Ids without a
    name are one-level paths of their own."""
    prefix_ids: dict[tuple[str, ...], int] = {}
    paths = []
    for c in range(max(n_categories, len(categories))):
        name = categories[c] if c < len(categories) else ""
        sep = r"[>|]" if (">" in name or "|" in name) else r"/"
        parts = tuple(p.strip().lower() for p in re.split(sep, name) if p.strip()) or (f"\0{c}",)
        paths.append([prefix_ids.setdefault(parts[:d + 1], len(prefix_ids)) for d in range(len(parts))])
    depth = np.array([len(p) for p in paths], dtype=np.int32)
    prefix = np.full((len(paths), max(int(depth.max()) if len(paths) else 0, 1)), -1, dtype=np.int32)
    for c, p in enumerate(paths):
        prefix[c, :len(p)] = p
    return prefix, depth


def _groups(catalog: Catalog, prefix: np.ndarray, depth: np.ndarray) -> list[np.ndarray]:
    """Per-item group ids (-1 none): category, category x brand, brand, parent category."""
    cat = catalog.category.astype(np.int64)
    brand = catalog.brand.astype(np.int64)
    has_cat, has_brand = cat >= 0, brand >= 0
    parent = np.full(cat.shape[0], -1, np.int64)
    if prefix.shape[0]:
        c = np.where(has_cat, cat, 0)
        d = depth[c]
        parent = np.where(has_cat & (d >= 2), prefix[c, np.maximum(d - 2, 0)], -1).astype(np.int64)
    n_brands = int(brand.max()) + 1 if brand.shape[0] else 0
    cat_brand = np.where(has_cat & has_brand, cat * (n_brands + 1) + brand, -1)
    return [np.where(has_cat, cat, -1), cat_brand, np.where(has_brand, brand, -1), parent]


def _price_windows(groups: list[np.ndarray], logp: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray,
                                                                      np.ndarray]:
    """Members of every group in price order (unknown prices last), concatenated, and for each
    (group kind, item) the item's position and its group's bounds in that array (-1: none)."""
    n = logp.shape[0]
    price_key = np.where(np.isfinite(logp), logp, np.inf)
    members, pos = [], np.full((len(groups), n), -1, np.int64)
    lo, hi = pos.copy(), pos.copy()
    offset = 0
    for gk, g in enumerate(groups):
        idx = np.flatnonzero(g >= 0)
        idx = idx[np.lexsort((idx, price_key[idx], g[idx]))]
        gs = g[idx]
        start = np.flatnonzero(np.r_[True, gs[1:] != gs[:-1]]) if idx.shape[0] else np.empty(0, np.int64)
        end = np.r_[start[1:], idx.shape[0]]
        size = np.diff(np.r_[start, idx.shape[0]]) if idx.shape[0] else np.empty(0, np.int64)
        run = np.repeat(np.arange(start.shape[0]), size)
        pos[gk, idx] = offset + np.arange(idx.shape[0])
        lo[gk, idx] = offset + start[run]
        hi[gk, idx] = offset + end[run]
        members.append(idx)
        offset += idx.shape[0]
    return np.concatenate(members).astype(np.int32), pos, lo, hi


@numba.njit(cache=True)
def _knn_row(i, o, tptr, tok, tw, pptr, pitem, pw, members, pos, lo, hi, category, brand, logp, prefix, depth,
             k, window, weights, log_ratio, acc, seen, touched, out_idx, out_s):
    """Row i's top-k into out_idx/out_s[o * k:]; returns how many. acc/seen/touched are
    per-thread scratch, left zeroed for the next row."""
    nt = 0
    for p in range(tptr[i], tptr[i + 1]):
        t, x = tok[p], tw[p]
        for q in range(pptr[t], pptr[t + 1]):
            j = pitem[q]
            if j != i:
                if not seen[j]:
                    seen[j] = True
                    touched[nt] = j
                    nt += 1
                acc[j] += x * pw[q]
    for gk in range(pos.shape[0]):
        c = pos[gk, i]
        if c < 0:
            continue
        for q in range(max(lo[gk, i], c - window), min(hi[gk, i], c + window + 1)):
            j = members[q]
            if j != i and not seen[j]:
                seen[j] = True
                touched[nt] = j
                nt += 1
    keys = np.empty(nt, np.int64)
    scores = np.empty(nt, np.float32)
    m = 0
    ci, bi, lpi = category[i], brand[i], logp[i]
    for r in range(nt):
        j = touched[r]
        cs = 0.0
        cj = category[j]
        if ci >= 0 and cj >= 0:
            if ci == cj:
                cs = 1.0
            else:
                shared = 0
                top = min(depth[ci], depth[cj])
                while shared < top and prefix[ci, shared] == prefix[cj, shared]:
                    shared += 1
                cs = shared / max(depth[ci], depth[cj])
        s = weights[0] * acc[j] + weights[1] * cs
        if bi >= 0 and bi == brand[j]:
            s += weights[2]
        if cs > 0 and np.isfinite(lpi) and np.isfinite(logp[j]):
            s += weights[3] * cs * max(0.0, 1.0 - abs(lpi - logp[j]) / log_ratio)
        acc[j] = 0.0
        seen[j] = False
        if s > 0:
            scores[m] = s
            keys[m] = j
            m += 1
    # Descending score, then ascending id, in one int64 key (positive float bits).
    bits = scores.view(np.int32)
    for r in range(m):
        keys[r] = (np.int64(0x7FFFFFFF - bits[r]) << 32) | keys[r]
    if m > k:
        kth = np.partition(keys[:m], k - 1)[k - 1]
        sel = np.flatnonzero(keys[:m] <= kth)
    else:
        sel = np.arange(m)
    sel = sel[np.argsort(keys[sel])]
    cnt = min(sel.shape[0], k)
    for r in range(cnt):
        out_idx[o * k + r] = np.int32(keys[sel[r]] & 0xFFFFFFFF)
        out_s[o * k + r] = scores[sel[r]]
    return cnt


@numba.njit(cache=True, nogil=True)
def _knn_rows(first, stride, tptr, tok, tw, pptr, pitem, pw, members, pos, lo, hi, category, brand, logp,
              prefix, depth, k, window, weights, log_ratio, out_idx, out_s, out_cnt):
    # Rows first, first + stride, ...: interleaving balances threads when heavy rows cluster.
    n = tptr.shape[0] - 1
    acc = np.zeros(n, np.float32)
    seen = np.zeros(n, np.bool_)
    touched = np.empty(n, np.int32)
    for i in range(first, n, stride):
        out_cnt[i] = _knn_row(i, i, tptr, tok, tw, pptr, pitem, pw, members, pos, lo, hi, category, brand,
                              logp, prefix, depth, k, window, weights, log_ratio, acc, seen, touched,
                              out_idx, out_s)


@numba.njit(cache=True, nogil=True)
def _knn_list(rows, tptr, tok, tw, pptr, pitem, pw, members, pos, lo, hi, category, brand, logp,
              prefix, depth, k, window, weights, log_ratio, out_idx, out_s, out_cnt):
    # The listed rows only, packed: row rows[o] goes to out_*[o * k:]. A Spark task's share.
    n = tptr.shape[0] - 1
    acc = np.zeros(n, np.float32)
    seen = np.zeros(n, np.bool_)
    touched = np.empty(n, np.int32)
    for o in range(rows.shape[0]):
        out_cnt[o] = _knn_row(rows[o], o, tptr, tok, tw, pptr, pitem, pw, members, pos, lo, hi, category, brand,
                              logp, prefix, depth, k, window, weights, log_ratio, acc, seen, touched,
                              out_idx, out_s)


ContentFeatures = tuple  # the kernels' inputs after the catalog, in their order (see content_features)


def content_features(catalog: Catalog, k: int = 50, *, title_weight: float = 1.0, category_weight: float = 0.5,
                     brand_weight: float = 0.2, price_weight: float = 0.2, price_ratio: float = 3.0,
                     window: int = 25, max_df: float = 0.05, max_postings: int = 1000) -> ContentFeatures | None:
    """Everything the row kernel reads, computed once from the catalog (None: no row can have
    a neighbour). Rows are independent given these, so they can be scored anywhere."""
    n = len(catalog)
    if n == 0 or k <= 0:
        return None
    tptr, tok, tw = _title_matrix(list(catalog.title), max_df, max_postings)
    has_group = (catalog.category >= 0) | (catalog.brand >= 0)
    if tok.shape[0] == 0 and not has_group.any():
        return None
    # Posting lists: the transpose of the title matrix.
    item_of = np.repeat(np.arange(n, dtype=np.int32), np.diff(tptr))
    order = np.argsort(tok, kind="stable")
    n_tokens = int(tok.max()) + 1 if tok.shape[0] else 0
    pptr = np.zeros(n_tokens + 1, np.int64)
    np.cumsum(np.bincount(tok, minlength=n_tokens), out=pptr[1:])
    price = catalog.price.astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        logp = np.where(price > 0, np.log(price), np.nan)
    prefix, depth = _category_paths(list(catalog.categories), int(catalog.category.max(initial=-1)) + 1)
    members, pos, lo, hi = _price_windows(_groups(catalog, prefix, depth), logp)
    weights = np.array([title_weight, category_weight, brand_weight, price_weight], np.float64)
    return (tptr, tok, tw, pptr, item_of[order], tw[order], members, pos, lo, hi,
            catalog.category.astype(np.int32), catalog.brand.astype(np.int32), logp, prefix, depth,
            int(k), int(window), weights, float(np.log(max(price_ratio, 1.0 + 1e-6))))


def content_rows(features: ContentFeatures, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(neighbour counts, ids, scores) of ``rows``, each row's top-k packed in row order."""
    k = features[15]
    rows = np.ascontiguousarray(rows, dtype=np.int64)
    ids = np.empty(rows.shape[0] * k, np.int32)
    scores = np.empty(rows.shape[0] * k, np.float32)
    sizes = np.zeros(rows.shape[0], np.int64)
    _knn_list(rows, *features, ids, scores, sizes)  # type: ignore[call-arg]  # numba dispatcher: untyped
    used = (np.arange(k) < sizes[:, None]).ravel()
    return sizes, ids[used], scores[used]


def content_table(n: int, parts: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]) -> Neighbours:
    """The table from (rows, counts, ids, scores) parts that together cover every row once."""
    if not parts:
        return empty_neighbours(n)
    rows = np.concatenate([p[0] for p in parts])
    sizes = np.concatenate([p[1] for p in parts])
    # Each entry's row; a stable sort by row puts the parts' packed entries in CSR order, each row's own order kept.
    order = np.argsort(np.repeat(rows, sizes), kind="stable")
    indptr = np.zeros(n + 1, np.int64)
    np.add.at(indptr, rows + 1, sizes)
    np.cumsum(indptr, out=indptr)
    ids = np.concatenate([p[2] for p in parts])[order]
    scores = np.concatenate([p[3] for p in parts])[order]
    return Neighbours(indptr=indptr, indices=ids, scores=scores, counts=np.zeros(int(indptr[-1]), np.int32))


def similar_content(catalog: Catalog, k: int = 50, **options: Any) -> Neighbours:
    """Top-``k`` content neighbours per item (see module docstring; ``options`` are
    ``content_features``'s); ``counts`` are 0. Items without a title token, category or brand
    get no neighbours."""
    n = len(catalog)
    features = content_features(catalog, k, **options)
    if features is None:
        return empty_neighbours(n)
    slots = np.empty(n * k, np.int32)
    scores = np.empty(n * k, np.float32)
    sizes = np.zeros(n, np.int64)
    args = (*features, slots, scores, sizes)
    # Rows are independent: threads share them (small catalogs are not worth a thread).
    threads = max(1, min(numba.get_num_threads(), n // 10_000))
    with ThreadPoolExecutor(threads) as pool:
        for future in [pool.submit(_knn_rows, t, threads, *args) for t in range(threads)]:
            future.result()
    used = (np.arange(k) < sizes[:, None]).ravel()
    indptr = np.zeros(n + 1, np.int64)
    np.cumsum(sizes, out=indptr[1:])
    return Neighbours(indptr=indptr, indices=slots[used], scores=scores[used],
                      counts=np.zeros(int(indptr[-1]), np.int32))
