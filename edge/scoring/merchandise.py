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

With no rules the bundle is ``EMPTY`` and every helper returns at its first test.
"""

from __future__ import annotations

from typing import NamedTuple

import numba
import numpy as np

from edge.scoring.filters import _in_sorted, _sorted_copy
from edge.scoring.rank import from_ranked, rank

# ``Rules.texts``: the reason text ids (``edge.slots.texts``) of a pinned and of a boosted pick.
TEXT_PINNED, TEXT_FEATURED = 0, 1


class Rules(NamedTuple):
    """One page's compiled rules; every array is writable and C-contiguous, so that any bundle has the
    numba type the planner was warmed with. Scope s is the page slot whose first step is slot_first[s]."""

    slot_first: np.ndarray   # int64 (S,)
    deny_ptr: np.ndarray     # int64 (S + 1,): deny_cats[deny_ptr[s]:deny_ptr[s + 1]], sorted
    deny_cats: np.ndarray    # int32
    item_ptr: np.ndarray     # int64 (S + 1,): deny_items[item_ptr[s]:item_ptr[s + 1]], sorted unique
    deny_items: np.ndarray   # int32
    boost_row: np.ndarray    # int64 (S,): row of ``mult``, -1 without boosts or buries
    mult: np.ndarray         # float32 (rows, items): the product of the scope's factors per item
    pin_ptr: np.ndarray      # int64 (S + 1,): pins of a scope, by position
    pin_pos: np.ndarray      # int64, 0-based positions
    pin_ids: np.ndarray      # int32 dense ids
    texts: np.ndarray        # int64 (2,): TEXT_PINNED, TEXT_FEATURED


def _i64(*shape: int) -> np.ndarray:
    return np.zeros(shape, np.int64)


EMPTY = Rules(slot_first=_i64(0), deny_ptr=_i64(1), deny_cats=np.zeros(0, np.int32), item_ptr=_i64(1),
              deny_items=np.zeros(0, np.int32), boost_row=_i64(0), mult=np.zeros((0, 0), np.float32),
              pin_ptr=_i64(1), pin_pos=_i64(0), pin_ids=np.zeros(0, np.int32), texts=_i64(2))


@numba.njit(cache=True, nogil=True)
def scope_of(rules, first):
    """The scope of the slot whose program starts at step ``first``; -1 when the page has no rules."""
    for s in range(rules.slot_first.shape[0]):
        if rules.slot_first[s] == first:
            return s
    return -1


@numba.njit(cache=True, nogil=True)
def denied_categories(rules, scope):
    """The scope's denied categories (sorted): the ranking kernels' ``cat_deny``."""
    if scope < 0:
        return rules.deny_cats[:0]
    return rules.deny_cats[rules.deny_ptr[scope]:rules.deny_ptr[scope + 1]]


@numba.njit(cache=True, nogil=True)
def denied_items(rules, scope, exclude):
    """``exclude`` (sorted, unique) plus the items of the scope's excluded brands: a merge, both sorted."""
    if scope < 0 or rules.item_ptr[scope] == rules.item_ptr[scope + 1]:
        return exclude
    extra = rules.deny_items[rules.item_ptr[scope]:rules.item_ptr[scope + 1]]
    out = np.empty(exclude.shape[0] + extra.shape[0], np.int32)
    i = j = m = 0
    while i < exclude.shape[0] or j < extra.shape[0]:
        if j >= extra.shape[0] or (i < exclude.shape[0] and exclude[i] < extra[j]):
            v = exclude[i]
            i += 1
        elif i >= exclude.shape[0] or extra[j] < exclude[i]:
            v = extra[j]
            j += 1
        else:
            v = exclude[i]
            i += 1
            j += 1
        out[m] = v
        m += 1
    return out[:m]


@numba.njit(cache=True, nogil=True)
def boosted(rules, scope, ids, scores):
    """``scores`` times the scope's factors, a new array; ``scores`` itself without boosts or buries."""
    if scope < 0 or rules.boost_row[scope] < 0:
        return scores
    mult = rules.mult[rules.boost_row[scope]]
    out = np.empty(scores.shape[0], np.float32)
    for i in range(scores.shape[0]):
        item = ids[i]
        out[i] = scores[i] * mult[item] if 0 <= item < mult.shape[0] else scores[i]
    return out


@numba.njit(cache=True, nogil=True)
def ranked(rules, scope, items, item_scores, in_stock, price, category, exclude, lo, hi, allow, deny,
           per_category, k):
    """A precomputed ranking's step: its head in list order (``from_ranked``), or, where the scope
    boosts or buries, the whole list ranked again by the multiplied scores."""
    if scope < 0 or rules.boost_row[scope] < 0:
        return from_ranked(items, item_scores, in_stock, price, category, exclude, lo, hi, allow, deny,
                           per_category, k)
    return rank(items, boosted(rules, scope, items, item_scores), in_stock, price, category, exclude, lo, hi,
                allow, deny, per_category, k)


@numba.njit(cache=True, nogil=True)
def feature(rules, scope, ids, lo, hi, out_text, out_num):
    """Explain the boosted picks among ids[lo:hi] as featured."""
    if scope < 0 or rules.boost_row[scope] < 0:
        return
    mult = rules.mult[rules.boost_row[scope]]
    for j in range(lo, hi):
        item = ids[j]
        if 0 <= item < mult.shape[0] and mult[item] > 1.0:
            out_text[j] = rules.texts[TEXT_FEATURED]
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
    first = rules.pin_ptr[scope]
    last = rules.pin_ptr[scope + 1]
    if first == last:
        return got
    n_items = min(in_stock.shape[0], price.shape[0], category.shape[0])
    allow = _sorted_copy(cat_allow)
    band = price_lo > -np.inf or price_hi < np.inf
    ok = np.zeros(last - first, np.bool_)
    for p in range(first, last):
        item = rules.pin_ids[p]
        if rules.pin_pos[p] >= n or item < 0 or item >= n_items or not in_stock[item]:
            continue
        if band:
            value = price[item]
            if value != value or value < np.float32(price_lo) or value > np.float32(price_hi):
                continue
        c = category[item]
        if (allow.shape[0] and not _in_sorted(allow, c)) or (deny.shape[0] and _in_sorted(deny, c)):
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
        elif exclude.shape[0] and _in_sorted(exclude, item):
            continue
        ok[p - first] = True
    text = rules.texts[TEXT_PINNED]
    for p in range(first, last):  # by position, so that each lands where it was asked
        if not ok[p - first]:
            continue
        target = start + min(rules.pin_pos[p], got - start)
        score = out_scores[target] if target < got else (out_scores[got - 1] if got > start else np.float32(0.0))
        if got - start >= n:
            got -= 1  # the last pick makes room
        for j in range(got, target, -1):
            out_ids[j], out_scores[j] = out_ids[j - 1], out_scores[j - 1]
            out_text[j], out_num[j] = out_text[j - 1], out_num[j - 1]
        out_ids[target] = rules.pin_ids[p]
        out_scores[target] = score
        out_text[target] = text
        out_num[target] = 0.0
        got += 1
    return got
