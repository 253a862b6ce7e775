"""A whole page's slots in one compiled call.

Each slot is a fallback chain (see ``edge.slots.programs``): steps tried in order until the
slot holds ``n`` items, each step ranking candidates under the slot's filters with
everything already shown excluded, and explaining its own picks. Run step by step from
Python, a product page makes some fifteen kernel calls, and at 1.5-2 us of numba dispatch
each (mostly unboxing a dozen array arguments) plus the Python that chains them, the
plumbing costs more than the ranking. ``plan_page`` interprets the same chains as data
(int64 step rows) inside one call, so a request pays the dispatch once.

Its arguments are typed bundles (``edge.scoring.bundles``): the snapshot's arrays, the
programs and the tunables (one structref), and the request. The oracle is the step-by-step Python planner in
tests/slots/oracle: ``tests/slots/test_compiled.py`` checks that both give the same ids,
scores and reasons, and tests/slots/test_rules.py checks worked examples by hand.
"""

from __future__ import annotations

import numba
import numpy as np

from edge.scoring import merchandise as merch
from edge.scoring.blend import accumulate, recency_weights
from edge.scoring.bundles import Request
from edge.scoring.filters import lower_bound, sorted_copy, union_sorted
from edge.scoring.items import category_of, item_count, margin_of, price_of, touch
from edge.scoring.memory import borrowed, prefetch
from edge.scoring.rank import from_ranked_sorted, rank_sorted

# -- step rows: one int64 row per step -------------------------------------------------
KIND, SEEDS, WEIGHTS, K_MULT, BOOST, SOURCE, GROUP, BAND, CAT, EXPLAIN, TEXT, COOC_ONE, COOC_MANY = range(13)
STEP_FIELDS = 13

# KIND: where candidates come from
BLEND = 0  # neighbours of a seed set, blended over the tables of a weight row, then ranked
RANKED = 1  # a precomputed ranking (bestsellers, trending), walked under the filters
OWN = 2  # the shopper's own history, most recent first

# SEEDS
S_ANCHOR = 0  # the current item, else the latest viewed one
S_FOR_YOU = 1  # purchases (weight 0.5) then history (recency-weighted)
S_CART = 2
S_NEAR = 3  # the anchor (1.0) and the earlier views, fading by ``similar_half_life`` per position from the latest
NEAR_FLOOR = 1.0 / 8  # S_NEAR stops at views weighing less (three half-lives back): each seed costs a blend of its rows

# SOURCE: the rankings, in the order ``plan_page`` receives them
R_BESTSELLERS = 0
R_CATEGORY = 1
R_REGION = 2
R_SEGMENT = 3
R_TRENDING = 4
N_RANKINGS = 5

# GROUP: which list of the ranking; a step whose group resolves to -1 is skipped
G_ZERO = 0
G_FAVOURITE = 1  # the category the shopper keeps looking at
G_ANCHOR_CATEGORY = 2
G_CART_LAST_CATEGORY = 3  # the category of the last cart item
G_REGION = 4
G_SEGMENT = 5

# BAND: price bounds a step adds to the request's
B_NONE = 0
B_UPSELL = 1  # [lo, hi] x the anchor's price
B_CHEAPER = 2  # strictly below the anchor's price
B_ADDON = 3  # at most the add-on cap

# CAT: the category filter
C_REQUEST = 0  # the request's ``category`` (empty: every category)
C_ANCHOR = 1  # only the anchor's category

# EXPLAIN: how a step's picks are explained (reason text ids live in ``edge.slots.texts``)
E_POPULARITY = 0  # bought this week / this month, else TEXT
E_TRENDING = 1
E_CO_OCCURRENCE = 2  # the first evidence table linking a seed to the item (spec COOC_*), else its fallback
E_FIXED = 3  # TEXT
E_STEP_UP = 4  # percent above the anchor's price
E_SAVES = 5  # amount below the anchor's price
E_GAP = 6  # closes the free-shipping gap, else as E_CO_OCCURRENCE

# Slot rows: [first step, step count, own-item slot, guard]
# SLOT_KEY: the (page, slot)'s own program's first step, the same in both buckets: merchandising rules find
# their scope by it, so the control bucket's shared program keeps each slot's rules.
SLOT_FIRST, SLOT_STEPS, SLOT_OWN, SLOT_GUARD, SLOT_KEY = range(5)
SLOT_FIELDS = 5
GUARD_NONE = 0
GUARD_UPSELL = 1  # the anchor has a price and a category the request allows
GUARD_PRICED = 2  # the anchor has a price

# Co-occurrence specs: [fallback text, tables, (table, text if the shop sends views, text if not) x 3]
COOC_FALLBACK, COOC_TABLES = 0, 1
COOC_FIELDS = 2 + 3 * 3

# Fixed text ids every program shares (``edge.slots.texts`` registers them first, in this order).
T_WEEK, T_MONTH, T_TRENDING_BOUGHT, T_TRENDING_VIEWED, T_TRENDING, T_STEP_UP, T_SAVES, T_FREE_SHIPPING = range(8)

@numba.njit(cache=True, nogil=True)
def below_float32(x):
    """The largest float32 below float32(x), as a float64: "strictly cheaper" where prices
    are compared in float32."""
    f = np.float32(x)
    if f != f or f == -np.inf:
        return np.float64(f)
    if f == 0:
        return -np.float64(np.uint32(1).view(np.float32))
    b = np.int64(f.view(np.uint32))
    b = b - 1 if f > 0 else b + 1
    return np.float64(np.uint32(b).view(np.float32))


@numba.njit(cache=True, nogil=True)
def favourite_category(history, category, best_items, half_life=4.0):
    """The category the shopper keeps looking at (recency-weighted, ``half_life`` in views; ties
    to the lower id), else the first known category among the top 50 bestsellers, else -1.
    ``category``: the category array or the items' records (``edge.scoring.items``)."""
    n_cat = item_count(category)
    m = history.shape[0]
    if m:
        weights = recency_weights(m, half_life)
        cats = np.empty(m, np.int32)
        totals = np.zeros(m, np.float64)
        k = 0
        for i in range(m):
            item = history[i]
            if item < 0 or item >= n_cat:
                continue
            c = category_of(category, item)
            if c < 0:
                continue
            j = 0
            while j < k and cats[j] != c:
                j += 1
            if j == k:
                cats[k] = c
                k += 1
            totals[j] += np.float64(weights[i])
        if k:
            best = 0
            for j in range(1, k):
                if totals[j] > totals[best] or (totals[j] == totals[best] and cats[j] < cats[best]):
                    best = j
            return np.int64(cats[best])
    for i in range(min(50, best_items.shape[0])):
        item = best_items[i]
        if 0 <= item < n_cat and category_of(category, item) >= 0:
            return np.int64(category_of(category, item))
    return np.int64(-1)


@numba.njit(cache=True, nogil=True)
def _co_occurrence(indptr, indices, counts, seeds, ids, lo, hi, spec, has_views, out_text, out_num):
    """Reasons for ids[lo:hi] from the first table of ``spec`` whose counts link a seed to the
    item (the largest count over the seeds). Each seed row is read once, its neighbours
    looked up among the picks sorted: rows are long, picks few."""
    n_items = indptr.shape[1] - 1
    n_nb = min(indices.shape[0], counts.shape[0])
    m = hi - lo
    # One allocation for the lookup's scratch: the picks sorted, their positions, best counts, found flags, and a
    # 256-bit filter of the picks' low bits (most neighbours are no pick and skip the search).
    work = np.zeros(4 * m + 4, np.int64)
    picks = work[:m]
    order, best, found, mask = m, 2 * m, 3 * m, 4 * m
    for i in range(m):  # insertion sort by id, ties by position: a slot's picks are few
        v = ids[lo + i]
        j = i - 1
        while j >= 0 and picks[j] > v:
            picks[j + 1] = picks[j]
            work[order + j + 1] = work[order + j]
            j -= 1
        picks[j + 1] = v
        work[order + j + 1] = i
    for i in range(m):
        b = picks[i] & 255
        work[mask + (b >> 6)] |= np.int64(1) << (b & 63)
    for j in range(lo, hi):
        out_text[j] = spec[COOC_FALLBACK]
        out_num[j] = 0.0
    missing = m
    for t in range(spec[COOC_TABLES]):  # the rows' offsets, then every row, asked for before the first is read
        table = spec[2 + 3 * t]
        if 0 <= table < indptr.shape[0]:
            for s in range(seeds.shape[0]):
                if 0 <= seeds[s] < n_items:
                    prefetch(indptr, table, seeds[s])
    for t in range(spec[COOC_TABLES]):
        table = spec[2 + 3 * t]
        if 0 <= table < indptr.shape[0]:
            for s in range(seeds.shape[0]):
                seed = seeds[s]
                if 0 <= seed < n_items:
                    start, end = max(indptr[table, seed], 0), min(indptr[table, seed + 1], n_nb)
                    for q in range(start, end + 15, 16):
                        prefetch(indices, min(q, end - 1), 0)
                        prefetch(counts, min(q, end - 1), 0)
    for t in range(spec[COOC_TABLES]):
        if missing == 0:
            break
        table = spec[2 + 3 * t]
        text = spec[3 + 3 * t] if has_views else spec[4 + 3 * t]
        if table < 0 or table >= indptr.shape[0]:
            continue
        for i in range(m):
            work[best + i] = 0
        for s in range(seeds.shape[0]):
            seed = seeds[s]
            if seed < 0 or seed >= n_items:
                continue
            for q in range(max(indptr[table, seed], 0), min(indptr[table, seed + 1], n_nb)):
                v = indices[q]
                b = v & 255
                if not (work[mask + (b >> 6)] >> (b & 63)) & 1:
                    continue
                a = lower_bound(picks, v)
                while a < m and picks[a] == v:  # a pick may repeat only by a caller's mistake; cover it
                    if counts[q] > work[best + a]:
                        work[best + a] = counts[q]
                    a += 1
        for i in range(m):
            if not work[found + i] and work[best + i] > 0:
                work[found + i] = 1
                missing -= 1
                out_text[lo + work[order + i]] = text
                out_num[lo + work[order + i]] = work[best + i]


@numba.njit(cache=True, nogil=True)
def _margin_boost(ids, scores, margin, k):
    """Where margins are known, a better margin breaks near-ties in the shop's favour:
    score x (1 + margin) in float32, best first (a stable sort), the first k. ``margin``: the
    margin array or the items' records."""
    m = ids.shape[0]
    boosted = np.empty(m, np.float32)
    n_margin = item_count(margin)
    for i in range(m):
        g = margin_of(margin, ids[i]) if 0 <= ids[i] < n_margin else np.float32(np.nan)
        boosted[i] = scores[i] * (np.float32(1.0) if g != g else np.float32(1.0) + g)
    order = np.arange(m)
    for i in range(1, m):  # insertion sort, descending and stable: a slot is short
        v = order[i]
        j = i - 1
        while j >= 0 and boosted[order[j]] < boosted[v]:
            order[j + 1] = order[j]
            j -= 1
        order[j + 1] = v
    keep = min(k, m)
    out_ids = np.empty(keep, np.int32)
    out_scores = np.empty(keep, np.float32)
    for i in range(keep):
        out_ids[i] = ids[order[i]]
        out_scores[i] = boosted[order[i]]
    return out_ids, out_scores


@numba.njit(cache=True, nogil=True)
def _explain(row, ids, lo, hi, seeds, indptr, indices, counts, attrs, week, month, views, cooc, has_views,
             anchor_price, gap, out_text, out_num):
    """Reasons for ids[lo:hi] as (text id, number) pairs, as the step's EXPLAIN says."""
    kind = row[EXPLAIN]
    if kind in (E_POPULARITY, E_TRENDING):
        # Bought this week, else this month (or viewed this week, when trending), else plain.
        popular = kind == E_POPULARITY
        second = month if popular else views
        first_text, second_text = (T_WEEK, T_MONTH) if popular else (T_TRENDING_BOUGHT, T_TRENDING_VIEWED)
        plain = row[TEXT] if popular else T_TRENDING
        for j in range(lo, hi):
            a, b = week[ids[j]], second[ids[j]]
            if a > 0:
                out_text[j], out_num[j] = first_text, a
            elif b > 0:
                out_text[j], out_num[j] = second_text, b
            else:
                out_text[j], out_num[j] = plain, 0.0
    elif kind == E_FIXED:
        for j in range(lo, hi):
            out_text[j], out_num[j] = row[TEXT], 0.0
    elif kind == E_STEP_UP:
        for j in range(lo, hi):
            out_text[j], out_num[j] = T_STEP_UP, 100.0 * (np.float64(price_of(attrs, ids[j])) / anchor_price - 1.0)
    elif kind == E_SAVES:
        for j in range(lo, hi):
            out_text[j], out_num[j] = T_SAVES, anchor_price - np.float64(price_of(attrs, ids[j]))
    else:  # E_CO_OCCURRENCE, E_GAP
        spec = cooc[row[COOC_ONE] if seeds.shape[0] == 1 else row[COOC_MANY]]
        _co_occurrence(indptr, indices, counts, seeds, ids, lo, hi, spec, has_views, out_text, out_num)
        if kind == E_GAP and gap == gap:
            for j in range(lo, hi):
                if np.float64(price_of(attrs, ids[j])) >= gap:
                    out_text[j], out_num[j] = T_FREE_SHIPPING, 0.0


@numba.njit(cache=True, nogil=True)
def _ranking(items, scores, indptr, group):
    if group < 0 or group >= indptr.shape[0] - 1:
        return items[:0], scores[:0]
    return items[indptr[group]:indptr[group + 1]], scores[indptr[group]:indptr[group + 1]]


@numba.njit(cache=True, nogil=True)
def _borrow_all(arrays):
    """A ranking tuple's arrays, borrowed (``N_RANKINGS`` of them)."""
    return (borrowed(arrays[0]), borrowed(arrays[1]), borrowed(arrays[2]), borrowed(arrays[3]), borrowed(arrays[4]))


@numba.njit(cache=True, nogil=True)
def plan_page(bundles, request, rules):
    """``plan`` for ``Bundles``, the request as a plain tuple (edge/scoring/bundles.py) and the page's
    merchandising rules (``edge.scoring.merchandise.Rules``, ``EMPTY`` when it has none)."""
    return plan(bundles.catalog, bundles.program, bundles.tunables, Request(*request), rules)


@numba.njit(cache=True, nogil=True)
def plan(catalog, program, tunables, request, rules):
    """Run the slot programs ``request.slots`` (rows of step ranges into ``program.steps``).

    Returns (ids int32, scores float32, text ids int32, text numbers float64, slot ends
    int64, favourite category): slot s holds ids[ends[s-1]:ends[s]]. No slot shows the cart,
    the ``current`` item, ``excluded`` ids or ``catalog.blocked`` ones (the overlay's), and only
    own-item slots show the history. ``request.gap`` is NaN when not given. ``rules``: the page's
    merchandising rules (``edge.scoring.merchandise.Rules``).
    """
    # Borrowed (edge/scoring/memory.py): the caller owns these for the whole call, and every step passes them on.
    nbr_indptr, nbr_indices = borrowed(catalog.nbr_indptr), borrowed(catalog.nbr_indices)
    nbr_scores, nbr_counts = borrowed(catalog.nbr_scores), borrowed(catalog.nbr_counts)
    in_stock, price, category = borrowed(catalog.in_stock), borrowed(catalog.price), borrowed(catalog.category)
    attrs = borrowed(catalog.items)  # stock, price, category and margin: one cache line per candidate, not four
    week, month, views = borrowed(catalog.week), borrowed(catalog.month), borrowed(catalog.views)
    cooc, has_views = borrowed(catalog.cooc), catalog.has_views
    rank_items, rank_scores, rank_indptr = (_borrow_all(catalog.rank_items), _borrow_all(catalog.rank_scores),
                                            _borrow_all(catalog.rank_indptr))
    blocked, steps = borrowed(catalog.blocked), borrowed(program.steps)
    table_weights, max_per_category = borrowed(tunables.table_weights), tunables.max_per_category
    slots, anchor, history = borrowed(request.slots), borrowed(request.anchor), borrowed(request.history)
    purchased, cart, current = borrowed(request.purchased), borrowed(request.cart), borrowed(request.current)
    excluded, cat_allow, n = borrowed(request.excluded), borrowed(request.cat_allow), request.n
    price_lo, price_hi, gap = request.price_lo, request.price_hi, request.gap
    rules = merch.Rules(borrowed(rules.table), borrowed(rules.mult))
    n_slots = slots.shape[0]
    cap = n_slots * n
    out_ids = np.empty(cap, np.int32)
    out_scores = np.empty(cap, np.float32)
    out_text = np.empty(cap, np.int32)
    out_num = np.zeros(cap, np.float64)
    ends = np.zeros(n_slots, np.int64)
    n_items = item_count(attrs)
    inf = np.inf

    # What every slot may derive from the request, once.
    banned = np.empty(cart.shape[0] + current.shape[0] + excluded.shape[0], np.int32)
    banned[:cart.shape[0]] = cart
    banned[cart.shape[0]:cart.shape[0] + current.shape[0]] = current
    banned[cart.shape[0] + current.shape[0]:] = excluded
    base_exclude = union_sorted(blocked, banned)
    seen = union_sorted(base_exclude, history)
    for i in range(history.shape[0]):  # the history's records, read by the favourite category, asked for at once
        if 0 <= history[i] < n_items:
            touch(attrs, history[i])
    fav = favourite_category(history, attrs, rank_items[R_BESTSELLERS], tunables.favourite_half_life)
    has_anchor = anchor.shape[0] > 0 and 0 <= anchor[0] < n_items
    anchor_category = np.int64(category_of(attrs, anchor[0])) if has_anchor else np.int64(-1)
    anchor_price = np.float64(price_of(attrs, anchor[0])) if has_anchor else np.nan
    cart_category = np.int64(category_of(attrs, cart[-1])) if cart.shape[0] and 0 <= cart[-1] < n_items \
        else np.int64(-1)
    # Strictly cheaper in the precision prices are compared in.
    below = below_float32(anchor_price) if has_anchor else -inf
    same_category = np.full(1, anchor_category, np.int32)
    allow_sorted = sorted_copy(cat_allow)  # the ranking kernels take their category lists sorted
    allowed = cat_allow.shape[0] == 0
    for c in range(cat_allow.shape[0]):
        if cat_allow[c] == anchor_category:
            allowed = True

    # Seed sets and their weights: recency for history, faded for purchases.
    for_you = np.empty(purchased.shape[0] + history.shape[0], np.int32)
    for_you_w = np.empty(for_you.shape[0], np.float32)
    recency = recency_weights(history.shape[0], tunables.history_half_life)
    for i in range(purchased.shape[0]):
        for_you[i] = purchased[i]
        for_you_w[i] = tunables.purchase_weight
    for i in range(history.shape[0]):
        for_you[purchased.shape[0] + i] = history[i]
        for_you_w[purchased.shape[0] + i] = recency[i]
    anchor_w = np.ones(anchor.shape[0], np.float32)
    # S_NEAR: the anchor, then the history newest first without it (0.5 ** (d / half-life) at d positions back,
    # down to NEAR_FLOOR); a half-life of 0 leaves the anchor alone.
    near = np.empty(anchor.shape[0] + history.shape[0], np.int32)
    near_w = np.empty(near.shape[0], np.float32)
    n_near = 0
    if anchor.shape[0]:
        near[0], near_w[0] = anchor[0], 1.0
        n_near = 1
        if tunables.similar_half_life > 0:
            fade = 0.5 ** (1.0 / tunables.similar_half_life)
            w = 1.0
            for i in range(history.shape[0] - 1, -1, -1):
                if history[i] != anchor[0]:
                    w *= fade
                    if w < NEAR_FLOOR:
                        break
                    near[n_near], near_w[n_near] = history[i], w
                    n_near += 1
    near, near_w = near[:n_near], near_w[:n_near]
    cart_w = np.ones(cart.shape[0], np.float32)
    own = np.empty(history.shape[0], np.int32)
    for i in range(history.shape[0]):
        own[i] = history[history.shape[0] - 1 - i]
    own_scores = np.ones(own.shape[0], np.float32)
    cart_value = 0.0
    for i in range(cart.shape[0]):
        if 0 <= cart[i] < n_items:
            p = np.float64(price_of(attrs, cart[i]))
            if p == p:
                cart_value += p
    if gap == gap:
        # Items a little above the gap still close it; much dearer ones are no add-on.
        addon_hi = gap * tunables.gap_stretch if gap > 0 else tunables.addon_cap
    else:
        addon_hi = min(tunables.addon_cap, tunables.addon_share * cart_value) if cart_value > 0 \
            else tunables.addon_cap

    # Blends shared by slots that blend the same seeds the same way (similar, upsell, alternatives).
    n_rows = table_weights.shape[0]
    # memo_ids[at + 1] holds the blend of memo_keys[at]; entry 0 is a placeholder that gives numba
    # the lists' element type.
    memo_keys = np.full(steps.shape[0], -1, np.int64)
    memo_ids = [np.zeros(0, np.int32)]
    memo_scores = [np.zeros(0, np.float32)]
    n_memo = 0

    shown = np.zeros(0, np.int32)
    hidden = seen
    got = 0
    for s in range(n_slots):
        first = slots[s, SLOT_FIRST]
        is_own = slots[s, SLOT_OWN] != 0
        guard = slots[s, SLOT_GUARD]
        start = got
        ok = True
        if guard == GUARD_UPSELL:
            ok = bool(anchor_price == anchor_price and anchor_category >= 0 and allowed)
        elif guard == GUARD_PRICED:
            ok = bool(anchor_price == anchor_price)
        exclude = union_sorted(base_exclude, shown) if is_own else hidden
        # Merchandising rules (edge/scoring/merchandise.py): the slot's scope (-1: no rules, and no further
        # calls), its denied categories (the ranking kernels' cat_deny below), the items of its excluded brands.
        scope, deny, exclude = merch.slot_rules(rules, slots[s, SLOT_KEY], exclude)
        per_category = 0 if is_own else max_per_category
        have = 0
        for r in range(first, first + slots[s, SLOT_STEPS] if ok else first):
            if have >= n:
                break
            k = n - have
            row = steps[r]
            lo = price_lo
            hi = price_hi
            band = row[BAND]
            if band == B_UPSELL:
                lo = max(lo, anchor_price * tunables.upsell_lo)
                hi = min(hi, anchor_price * tunables.upsell_hi)
            elif band == B_CHEAPER:
                hi = min(hi, below)
            elif band == B_ADDON:
                hi = min(hi, addon_hi)
            allow = same_category if row[CAT] == C_ANCHOR else allow_sorted
            kind = row[KIND]
            which = row[SEEDS]
            if which == S_NEAR and near.shape[0] <= anchor.shape[0]:
                which = S_ANCHOR  # nothing earlier to blend: the anchor's own blend, shared with other slots
            if which == S_ANCHOR:
                seeds, seed_w = anchor, anchor_w
            elif which == S_FOR_YOU:
                seeds, seed_w = for_you, for_you_w
            elif which == S_NEAR:
                seeds, seed_w = near, near_w
            else:
                seeds, seed_w = cart, cart_w
            if kind == BLEND:
                if seeds.shape[0] == 0:
                    continue
                key = which * n_rows + row[WEIGHTS]
                at = 0
                while at < n_memo and memo_keys[at] != key:
                    at += 1
                if at == n_memo:
                    cand, acc = accumulate(nbr_indptr, nbr_indices, nbr_scores, seeds, seed_w,
                                            table_weights[row[WEIGHTS]])
                    memo_ids.append(cand)
                    memo_scores.append(acc.astype(np.float32))
                    memo_keys[n_memo] = key
                    n_memo += 1
                blended = memo_scores[at + 1]
                if scope >= 0:  # merchandising rules: boosts and buries multiply the scores before the top-k
                    blended = merch.boosted(rules, scope, memo_ids[at + 1], blended)
                ids, scores = rank_sorted(memo_ids[at + 1], blended, attrs, exclude, lo, hi, allow, deny,
                                          per_category, k * row[K_MULT])
                if row[BOOST]:
                    ids, scores = _margin_boost(ids, scores, attrs, k)
            elif kind == RANKED:
                g = row[GROUP]
                group = np.int64(0)
                if g == G_FAVOURITE:
                    group = fav
                elif g == G_ANCHOR_CATEGORY:
                    group = anchor_category
                elif g == G_CART_LAST_CATEGORY:
                    group = cart_category
                elif g == G_REGION:
                    group = request.region
                elif g == G_SEGMENT:
                    group = request.segment
                if group < 0:
                    continue
                src = row[SOURCE]
                items, item_scores = _ranking(rank_items[src], rank_scores[src], rank_indptr[src], group)
                if scope >= 0:  # merchandising rules: with boosts or buries, ranked again by the multiplied scores
                    ids, scores = merch.ranked(rules, scope, items, item_scores, attrs, exclude, lo, hi, allow, deny,
                                               per_category, k)
                else:
                    ids, scores = from_ranked_sorted(items, item_scores, attrs, exclude, lo, hi, allow, deny,
                                                     per_category, k)
            else:
                ids, scores = from_ranked_sorted(own, own_scores, attrs, exclude, lo, hi, allow, deny, per_category,
                                                 k)  # merchandising rules: deny
            m = ids.shape[0]
            if m == 0:
                continue
            for j in range(m):
                out_ids[got + j] = ids[j]
                out_scores[got + j] = scores[j]
            _explain(row, out_ids, got, got + m, seeds, nbr_indptr, nbr_indices, nbr_counts, attrs, week, month,
                     views, cooc, has_views, anchor_price, gap, out_text, out_num)
            if scope >= 0 and kind != OWN:  # merchandising rules: a boosted pick is featured (not the shopper's own)
                merch.feature(rules, scope, out_ids, got, got + m, out_text, out_num)
            got += m
            have += m
            if have < n:
                exclude = union_sorted(exclude, ids)  # later steps skip what this one took
        if scope >= 0:  # merchandising rules: pins, once the slot is planned
            got = merch.pin(rules, scope, out_ids, out_scores, out_text, out_num, start, got, n, exclude, in_stock,
                            price, category, price_lo, price_hi, cat_allow, deny)
        ends[s] = got
        if got > start:
            # An item appears in at most one slot of a response.
            picked = out_ids[start:got]
            hidden = union_sorted(hidden, picked)
            shown = union_sorted(shown, picked)
    return out_ids[:got], out_scores[:got], out_text[:got], out_num[:got], ends, fav
