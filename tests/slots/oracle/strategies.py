"""One strategy per slot: the single place where business rules are decided.

A strategy gets the snapshot, the request context and the tunables and returns a fallback
chain; the planner runs it under the slot's filters (everything the response already shows
is excluded). Chains end in the global bestsellers where the slot's meaning allows it, so
slots are not left empty.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from edge.scoring import from_ranked, recency_weights
from edge.scoring.bundles import Tunables
from edge.scoring.page import NEAR_FLOOR
from edge.scoring.reference import favourite_category_reference, margin_boost_reference
from edge.slots.context import Context
from edge.slots.tunables import W_CART, W_CONTENT, W_HISTORY, W_SIMILAR, W_TOGETHER
from tests.slots.oracle import reasons
from tests.slots.oracle.chain import Step
from tests.slots.oracle.recipes import Filters, from_ranking, from_seeds


class Shop:
    """A snapshot as a request sees it: its prices (the catalog overlay's, when it has any) and
    the tunables it is served with; everything else is the snapshot's."""

    def __init__(self, snap: Any, tunables: Tunables, price: np.ndarray | None = None) -> None:
        self.snap = snap
        self.tun = tunables
        self.arrays = {**snap.arrays, "price": snap.arrays["price"] if price is None else price}

    def __getattr__(self, name: str) -> object:
        return getattr(self.snap, name)

    def weights(self, recipe: int) -> np.ndarray:
        return np.ascontiguousarray(self.tun.table_weights[recipe])


# Strategies yield their steps: the chain stops asking once a slot is full, so fallbacks
# (and their explainers) that are not needed are never built.
Strategy = Callable[[Any, Context, Tunables], Iterator[Step]]


def seeds_step(snap: Any, ctx: Context, seeds: np.ndarray, weights: np.ndarray, explain: reasons.Explainer,
               half_life: float = 0.0, seed_weights: np.ndarray | None = None) -> Step:
    return Step(lambda f, k: from_seeds(snap, seeds, weights, f, k, half_life, seed_weights), explain)


def ranking_step(snap: Any, name: str, group: int, explain: reasons.Explainer) -> Step:
    return Step(lambda f, k: from_ranking(snap, name, group, f, k), explain)


def _browsed(snap: Any, viewed: str, bought: str) -> str:
    """Co-view tables come from orders when a shop sends no views: say what they count."""
    return viewed if snap.has_views else bought


def narrowed(step: Step, price_lo: float = -np.inf, price_hi: float = np.inf,
             cat_allow: np.ndarray | None = None) -> Step:
    """The same step under tighter filters: the price band intersects the request's."""
    def produce(f: Filters, k: int) -> tuple[np.ndarray, np.ndarray]:
        f = f._replace(price_lo=max(f.price_lo, price_lo), price_hi=min(f.price_hi, price_hi),
                       cat_allow=f.cat_allow if cat_allow is None else cat_allow)
        return step.produce(f, k)
    return Step(produce, step.explain)


def bestsellers_step(snap: Any) -> Step:
    return ranking_step(snap, "bestsellers", 0, reasons.popularity(snap))


def category_step(snap: Any, category: int) -> Iterator[Step]:
    if category >= 0:
        yield ranking_step(snap, "bestsellers_category", category, reasons.popularity(snap, "Popular in this category"))


def own_items_step(snap: Any, ids: np.ndarray, text: str) -> Step:
    """The shopper's own items (most recent first) under the slot's filters."""
    a = snap.arrays
    ordered = np.ascontiguousarray(ids[::-1])
    scores = np.ones(ordered.shape[0], dtype=np.float32)

    def produce(f: Filters, k: int) -> tuple[np.ndarray, np.ndarray]:
        return from_ranked(ordered, scores, a["in_stock"], a["price"], a["category"], f.exclude, f.price_lo,
                           f.price_hi, f.cat_allow, f.cat_deny, f.max_per_category, k)
    return Step(produce, reasons.fixed(text))


def favourite_category(snap: Any, ctx: Context) -> int:
    """The category the shopper keeps looking at (recency-weighted), else the top seller's."""
    items, _ = snap.ranking("bestsellers", 0)
    return favourite_category_reference(ctx.history, snap.arrays["category"], items, snap.tun.favourite_half_life)


# -- home ------------------------------------------------------------------------------

def bestsellers(snap: Any, ctx: Context, tun: Tunables) -> Iterator[Step]:
    explain = reasons.popularity(snap)
    if ctx.segment >= 0:
        yield ranking_step(snap, "bestsellers_segment", ctx.segment, explain)
    if ctx.region >= 0:
        yield ranking_step(snap, "bestsellers_region", ctx.region, explain)
    yield bestsellers_step(snap)


def trending(snap: Any, ctx: Context, tun: Tunables) -> Iterator[Step]:
    yield ranking_step(snap, "trending", 0, reasons.trending(snap))
    yield bestsellers_step(snap)


def for_you(snap: Any, ctx: Context, tun: Tunables) -> Iterator[Step]:
    seeds = np.concatenate([ctx.purchased, ctx.history]).astype(np.int32)
    if seeds.size == 0:
        yield from category_step(snap, favourite_category(snap, ctx))
        yield bestsellers_step(snap)
        return
    # Purchases are older evidence than the current browsing: they weigh like a faded view.
    weights = np.concatenate([np.full(ctx.purchased.shape[0], tun.purchase_weight, np.float32),
                              recency_weights(int(ctx.history.shape[0]), tun.history_half_life)])
    together = _browsed(snap, "Viewed together with your picks {times}", "Bought together with your picks {times}")
    explain = reasons.co_occurrence(snap, seeds, (("also_viewed", together),
                                                  ("also_bought", "Bought by customers like you {times}")),
                                    "Based on what you viewed")
    yield seeds_step(snap, ctx, seeds, snap.weights(W_HISTORY), explain, seed_weights=weights)
    yield from category_step(snap, favourite_category(snap, ctx))
    yield bestsellers_step(snap)


def recently_viewed(snap: Any, ctx: Context, tun: Tunables) -> Iterator[Step]:
    yield own_items_step(snap, ctx.history, "You viewed this")


def category_picks(snap: Any, ctx: Context, tun: Tunables) -> Iterator[Step]:
    yield from category_step(snap, favourite_category(snap, ctx))
    yield bestsellers_step(snap)


# -- product ---------------------------------------------------------------------------

def near_seeds(ctx: Context, half_life: float) -> tuple[np.ndarray, np.ndarray]:
    """The anchor (weight 1), then the other history items newest first, the one d positions back
    weighing 0.5 ** (d / half_life) down to 1/8; a half-life of 0 (or none) leaves the anchor alone."""
    seeds = [int(a) for a in ctx.anchor[:1]]
    weights = [1.0] * len(seeds)
    if seeds and half_life > 0:
        fade, w = 0.5 ** (1.0 / half_life), 1.0
        for item in ctx.history[::-1].tolist():
            if item != seeds[0]:
                w *= fade
                if w < NEAR_FLOOR:  # older views are left out: beyond three half-lives back
                    break
                seeds.append(item)
                weights.append(w)
    return np.array(seeds, np.int32), np.array(weights, np.float32)


def similar(snap: Any, ctx: Context, tun: Tunables) -> Iterator[Step]:
    anchor = ctx.anchor
    seeds, weights = near_seeds(ctx, tun.similar_half_life)
    if seeds.shape[0] > 1:  # an item may be linked to an earlier view only: say so
        evidence = (("also_viewed", _browsed(snap, "Viewed together with items you viewed {times}",
                                             "Bought together with items you viewed {times}")),
                    ("viewed_next", _browsed(snap, "Viewed after items you viewed {times}",
                                             "Bought after items you viewed {times}")),
                    ("also_bought", "Bought by customers of items you viewed {times}"))
        fallback = "Similar to what you viewed"
    else:
        evidence = (("also_viewed", _browsed(snap, "Viewed together {times}", "Bought together {times}")),
                    ("viewed_next", _browsed(snap, "Viewed next {times}", "Bought next {times}")),
                    ("also_bought", "Bought by the same customers {times}"))
        fallback = "Similar to this item"
    explain = reasons.co_occurrence(snap, seeds, evidence, fallback)
    yield seeds_step(snap, ctx, seeds, snap.weights(W_SIMILAR), explain, seed_weights=weights)
    yield seeds_step(snap, ctx, anchor, snap.weights(W_CONTENT), reasons.fixed("Similar to this item"))
    yield from category_step(snap, int(snap.arrays["category"][anchor[0]]) if anchor.size else -1)
    yield bestsellers_step(snap)


def _priced_anchor(snap: Any, ctx: Context) -> tuple[np.ndarray, float, int]:
    anchor = ctx.anchor
    if anchor.size == 0:
        return anchor, math.nan, -1
    return anchor, float(snap.arrays["price"][anchor[0]]), int(snap.arrays["category"][anchor[0]])


def upsell(snap: Any, ctx: Context, tun: Tunables) -> Iterator[Step]:
    anchor, price, category = _priced_anchor(snap, ctx)
    if math.isnan(price) or category < 0:
        return  # no price or category to step up from: nothing is eligible
    if ctx.cat_allow.size and category not in ctx.cat_allow:
        return  # the page asked for other categories
    lo, hi = tun.upsell_lo, tun.upsell_hi
    same_category = np.array([category], dtype=np.int32)
    explain = reasons.price_delta(snap, price, cheaper=False)
    for step in (seeds_step(snap, ctx, anchor, snap.weights(W_SIMILAR), explain), *category_step(snap, category)):
        yield narrowed(step, price_lo=price * lo, price_hi=price * hi, cat_allow=same_category)


def alternatives(snap: Any, ctx: Context, tun: Tunables) -> Iterator[Step]:
    anchor, price, category = _priced_anchor(snap, ctx)
    if math.isnan(price):
        return
    margin = snap.arrays["margin"]
    explain = reasons.price_delta(snap, price, cheaper=True)
    below = float(np.nextafter(np.float32(price), np.float32(-np.inf)))  # strictly cheaper, as prices compare

    def cheaper(f: Filters, k: int) -> tuple[np.ndarray, np.ndarray]:
        f = f._replace(price_hi=min(below, f.price_hi))
        ids, scores = from_seeds(snap, anchor, snap.weights(W_SIMILAR), f, 3 * k)
        if ids.size == 0:
            return ids, scores
        # Where margins are known, a better margin breaks near-ties in the shop's favour.
        return margin_boost_reference(ids, scores, margin, k)

    yield Step(cheaper, explain)
    if category >= 0:
        yield narrowed(ranking_step(snap, "bestsellers_category", category, explain), price_hi=below)


def bought_together(snap: Any, ctx: Context, tun: Tunables) -> Iterator[Step]:
    seeds = ctx.cart if ctx.page in ("cart", "checkout") else ctx.anchor
    if seeds.size == 0:
        yield bestsellers_step(snap)
        return
    template = "Bought together {times}" if seeds.shape[0] == 1 else "Bought with your cart items {times}"
    explain = reasons.co_occurrence(snap, seeds, (("bought_together", template),
                                                  ("also_bought", "Bought by the same customers {times}"),
                                                  ("bought_category", "Popular in this category, bought {times}")),
                                    "Often bought together")
    weights = snap.weights(W_CART if ctx.page in ("cart", "checkout") else W_TOGETHER)
    yield seeds_step(snap, ctx, seeds, weights, explain)
    yield from category_step(snap, int(snap.arrays["category"][seeds[-1]]))
    yield bestsellers_step(snap)


# -- cart and checkout -----------------------------------------------------------------

def addon_cap(snap: Any, ctx: Context, tun: Tunables) -> float:
    if ctx.free_shipping_gap is not None:
        # Items a little above the gap still close it; much dearer ones are no add-on.
        return ctx.free_shipping_gap * tun.gap_stretch if ctx.free_shipping_gap > 0 else tun.addon_cap
    prices = snap.arrays["price"][ctx.cart] if ctx.cart.size else np.zeros(0, np.float32)
    value = float(sum(p for p in prices.tolist() if p == p))  # in float64, in cart order
    return min(tun.addon_cap, tun.addon_share * value) if value > 0 else tun.addon_cap


def addons(snap: Any, ctx: Context, tun: Tunables) -> Iterator[Step]:
    cap = float(min(addon_cap(snap, ctx, tun), ctx.price_hi))
    explain = reasons.below_gap(snap, ctx.free_shipping_gap, reasons.co_occurrence(
        snap, ctx.cart, (("bought_together", "Often added to carts like yours ({times})"),),
        "A small extra"))
    if ctx.cart.size:
        yield narrowed(seeds_step(snap, ctx, ctx.cart, snap.weights(W_TOGETHER), explain), price_hi=cap)
    yield narrowed(bestsellers_step(snap), price_hi=cap)


def reminders(snap: Any, ctx: Context, tun: Tunables) -> Iterator[Step]:
    yield own_items_step(snap, ctx.history, "You looked at this earlier")


STRATEGIES: dict[str, Strategy] = {
    "bestsellers": bestsellers, "trending": trending, "for_you": for_you, "recently_viewed": recently_viewed,
    "category_picks": category_picks, "similar": similar, "upsell": upsell, "alternatives": alternatives,
    "bought_together": bought_together, "addons": addons, "reminders": reminders,
}

# Slots that show the shopper's own items; every other slot hides the history.
OWN_ITEM_SLOTS = frozenset({"recently_viewed", "reminders"})
