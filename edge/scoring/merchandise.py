"""The shop's merchandising rules inside the compiled planner (``edge.scoring.page``).

``plan_page`` receives one ``Rules`` bundle per request: the page's rules compiled once per
rules generation and snapshot (``edge.rules.compile``). Each slot of the page is a scope;
``scope_of`` finds the slot's by its program's first step. Within a scope:

- exclusions are filters: denied categories join the ranking kernels' category deny list,
  items of excluded brands join the slot's exclusions;
- boosts and buries multiply candidate scores before each step's top-k (one float32 factor
  per item, built only for scopes that have such rules); a boosted pick is explained as
  featured;
- pins are placed after the slot is planned: at their position, shifting the others, never
  past ``n``, and only when the item passes what every pick passes (in stock, the request's
  price range and categories, not excluded, not shown by another slot).

With no rules the bundle is ``EMPTY``: each slot makes one call here (``slot_rules``) and no other.
"""

from __future__ import annotations

from typing import NamedTuple

import numba
import numpy as np

from edge.scoring.filters import in_sorted, merge_sorted, sorted_copy
from edge.scoring.rank import from_ranked_sorted, rank_sorted

# ``Rules.table``: a header of HEADER values (the scope count, where each part starts, the reason text ids of a
# pinned and of a boosted pick in ``edge.slots.texts``), then the parts. One array rather than one per part:
# numba unboxes every array argument on every call, ~0.3 us each, and a page without rules should not pay that.
(H_SCOPES, H_SLOT_FIRST, H_DENY_PTR, H_DENY_CATS, H_ITEM_PTR, H_DENY_ITEMS, H_BOOST_ROW, H_PIN_PTR, H_PIN_POS,
 H_PIN_IDS, H_TEXT_PINNED, H_TEXT_FEATURED) = range(12)
HEADER = 12


class Rules(NamedTuple):
    """One page's compiled rules (``pack`` builds it). Every bundle has the same numba type, so a new rule set
    compiles nothing. Scope s is the page slot whose program's first step is the s-th ``slot_first``."""

    table: np.ndarray  # int64: the header above, then its parts
    mult: np.ndarray   # float32 (rows, items): per scope with boosts or buries, the product of its factors per item


def pack(slot_first: np.ndarray, deny_ptr: np.ndarray, deny_cats: np.ndarray, item_ptr: np.ndarray,
         deny_items: np.ndarray, boost_row: np.ndarray, mult: np.ndarray, pin_ptr: np.ndarray, pin_pos: np.ndarray,
         pin_ids: np.ndarray, pinned_text: int, featured_text: int) -> Rules:
    """A bundle for S scopes: ``slot_first`` (S,); ``deny_cats[deny_ptr[s]:deny_ptr[s + 1]]`` the denied categories
    of scope s (sorted), ``deny_items`` by ``item_ptr`` the items of its excluded brands (sorted, unique);
    ``boost_row`` (S,) its row of ``mult`` or -1; pins by ``pin_ptr``, ascending 0-based ``pin_pos`` and dense
    ``pin_ids``; ``mult`` 2-D."""
    parts = (slot_first, deny_ptr, deny_cats, item_ptr, deny_items, boost_row, pin_ptr, pin_pos, pin_ids)
    table = np.zeros(HEADER + sum(len(p) for p in parts), np.int64)
    table[H_SCOPES] = len(slot_first)
    at = HEADER
    for field, part in zip((H_SLOT_FIRST, H_DENY_PTR, H_DENY_CATS, H_ITEM_PTR, H_DENY_ITEMS, H_BOOST_ROW, H_PIN_PTR,
                            H_PIN_POS, H_PIN_IDS), parts, strict=True):
        table[field] = at
        table[at:at + len(part)] = part
        at += len(part)
    table[H_TEXT_PINNED] = pinned_text
    table[H_TEXT_FEATURED] = featured_text
    return Rules(table, np.ascontiguousarray(mult, np.float32))


def _none(n: int) -> np.ndarray:
    return np.zeros(n, np.int64)


EMPTY = pack(_none(0), _none(1), _none(0), _none(1), _none(0), _none(0), np.zeros((0, 0), np.float32), _none(1),
             _none(0), _none(0), -1, -1)


@numba.njit(cache=True, nogil=True)
def scope_of(rules, first):
    """The scope of the slot whose program starts at step ``first``; -1 when the page has no rules."""
    idx = rules.table
    base = idx[H_SLOT_FIRST]
    for s in range(idx[H_SCOPES]):
        if idx[base + s] == first:
            return s
    return -1


@numba.njit(cache=True, nogil=True)
def slot_rules(rules, first, exclude):
    """A slot's (scope, denied categories, ``exclude`` plus its excluded brands' items): one call per slot, and
    with a scope of -1 the planner calls nothing else here."""
    scope = scope_of(rules, first)
    return scope, denied_categories(rules, scope), denied_items(rules, scope, exclude)


@numba.njit(cache=True, nogil=True)
def _part(rules, ptr, data, scope):
    """Scope ``scope``'s entries of a part indexed by a pointer part."""
    idx = rules.table
    at = idx[ptr] + scope
    return idx[idx[data] + idx[at]:idx[data] + idx[at + 1]]


@numba.njit(cache=True, nogil=True)
def boost_row(rules, scope):
    """The scope's row of ``mult``, -1 without boosts or buries (or without a scope)."""
    return rules.table[rules.table[H_BOOST_ROW] + scope] if scope >= 0 else np.int64(-1)


@numba.njit(cache=True, nogil=True)
def denied_categories(rules, scope):
    """The scope's denied categories (sorted): the ranking kernels' ``cat_deny``."""
    if scope < 0:
        return rules.table[:0]
    return _part(rules, H_DENY_PTR, H_DENY_CATS, scope)


@numba.njit(cache=True, nogil=True)
def denied_items(rules, scope, exclude):
    """``exclude`` (sorted, unique) plus the items of the scope's excluded brands: a merge, both sorted."""
    if scope < 0:
        return exclude
    extra = _part(rules, H_ITEM_PTR, H_DENY_ITEMS, scope)
    if extra.shape[0] == 0:
        return exclude
    return merge_sorted(exclude, extra)


@numba.njit(cache=True, nogil=True)
def boosted(rules, scope, ids, scores):
    """``scores`` times the scope's factors, a new array; ``scores`` itself without boosts or buries."""
    row = boost_row(rules, scope)
    if row < 0:
        return scores
    mult = rules.mult[row]
    out = np.empty(scores.shape[0], np.float32)
    for i in range(scores.shape[0]):
        item = ids[i]
        out[i] = scores[i] * mult[item] if 0 <= item < mult.shape[0] else scores[i]
    return out


@numba.njit(cache=True, nogil=True)
def ranked(rules, scope, items, item_scores, attrs, exclude, lo, hi, allow, deny, per_category, k):
    """A precomputed ranking's step: its head in list order (``from_ranked``), or, where the scope
    boosts or buries, the whole list ranked again by the multiplied scores. ``allow`` and ``deny`` sorted."""
    if boost_row(rules, scope) < 0:
        return from_ranked_sorted(items, item_scores, attrs, exclude, lo, hi, allow, deny, per_category, k)
    return rank_sorted(items, boosted(rules, scope, items, item_scores), attrs, exclude, lo, hi, allow, deny,
                       per_category, k)


@numba.njit(cache=True, nogil=True)
def feature(rules, scope, ids, lo, hi, out_text, out_num):
    """Explain the boosted picks among ids[lo:hi] as featured."""
    row = boost_row(rules, scope)
    if row < 0:
        return
    mult = rules.mult[row]
    for j in range(lo, hi):
        item = ids[j]
        if 0 <= item < mult.shape[0] and mult[item] > 1.0:
            out_text[j] = rules.table[H_TEXT_FEATURED]
            out_num[j] = 0.0


@numba.njit(cache=True, nogil=True)
def pin(rules, scope, out_ids, out_scores, out_text, out_num, start, got, n, exclude, in_stock, price, category,
        price_lo, price_hi, cat_allow, deny):
    """Place the scope's pins into the slot out_*[start:got] (at most ``n`` items); the new end.

    A pin already among the slot's picks moves to its position; one that is out of stock,
    outside the request's price range or categories, denied, or in ``exclude`` (the request's
    exclusions, what other slots showed, excluded brands) is skipped; a position past the
    slot's end appends. Its score is that of the pick whose place it takes."""
    if scope < 0:
        return got
    idx = rules.table
    first = idx[idx[H_PIN_PTR] + scope]
    last = idx[idx[H_PIN_PTR] + scope + 1]
    if first == last:
        return got
    positions = idx[idx[H_PIN_POS] + first:idx[H_PIN_POS] + last]
    items = idx[idx[H_PIN_IDS] + first:idx[H_PIN_IDS] + last]
    n_items = min(in_stock.shape[0], price.shape[0], category.shape[0])
    allow = sorted_copy(cat_allow)
    band = price_lo > -np.inf or price_hi < np.inf
    ok = np.zeros(last - first, np.bool_)
    for p in range(last - first):
        item = items[p]
        if positions[p] >= n or item < 0 or item >= n_items or not in_stock[item]:
            continue
        if band:
            value = price[item]
            if value != value or value < np.float32(price_lo) or value > np.float32(price_hi):
                continue
        c = category[item]
        if (allow.shape[0] and not in_sorted(allow, c)) or (deny.shape[0] and in_sorted(deny, c)):
            continue
        # Among the slot's picks: taken out first (all of them, so that no move shifts a placed pin).
        at = -1
        for j in range(start, got):
            if out_ids[j] == item:
                at = j
        if at >= 0:
            for j in range(at, got - 1):
                out_ids[j], out_scores[j] = out_ids[j + 1], out_scores[j + 1]
                out_text[j], out_num[j] = out_text[j + 1], out_num[j + 1]
            got -= 1
        elif exclude.shape[0] and in_sorted(exclude, item):
            continue
        ok[p] = True
    text = idx[H_TEXT_PINNED]
    for p in range(last - first):  # by position, so that each lands where it was asked
        if not ok[p]:
            continue
        target = start + min(positions[p], got - start)
        score = out_scores[target] if target < got else (out_scores[got - 1] if got > start else np.float32(0.0))
        if got - start >= n:
            got -= 1  # the last pick makes room
        for j in range(got, target, -1):
            out_ids[j], out_scores[j] = out_ids[j - 1], out_scores[j - 1]
            out_text[j], out_num[j] = out_text[j - 1], out_num[j - 1]
        out_ids[target] = items[p]
        out_scores[target] = score
        out_text[target] = text
        out_num[target] = 0.0
        got += 1
    return got
