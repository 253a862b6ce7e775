"""Per-shop tuning at build time: the recipe weights that serve this shop's own recent past best.

``skylt build`` cuts a validation window from the end of its training data (the last
``VALIDATION_SHARE`` of sessions by start time), computes the tables from what came before,
and for each slot family with at least ``MIN_CASES`` cases in the window searches the weights
of that family's recipe over the neighbour tables:

- basket completion (``page=cart``, ``bought_together``): the ``cart`` recipe, then how the
  bought-together table is scored (``edge.evaluate.tune_tables``);
- next item (``page=product``, ``similar``; only for shops that send views or clicks): the
  ``similar`` recipe, then how far that slot reaches back into the history
  (``similar_history_half_life``, one of ``HALF_LIVES``).

The search is coordinate descent from the defaults, a few multiplicative steps per (non-empty) table, and
a step is only taken when the cases it newly hits outnumber those it loses by two standard errors
(a paired sign test): on a small or noisy window the defaults stand (shrinkage toward them). Every answer comes from
the served planner (``edge.evaluate.served``). The search stops when the time budget is spent.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any, cast

import numpy as np

from edge.build.aggregate import Aggregates, aggregate
from edge.build.arrays import neighbour_arrays, ranking_arrays
from edge.build.frames import Catalog, Events, EventType
from edge.config import Settings
from edge.evaluate.protocols import Case, basket_cases, cutoff, next_item_cases
from edge.evaluate.search import Clock, choose_half_life, coordinate_descent
from edge.evaluate.served import RECIPES, context, default_weights, planner, slot_ids
from edge.evaluate.tune_tables import Scoring, choose_scoring, describe, rescored
from edge.layout import NEIGHBOUR_TABLES, RANKINGS, Tune
from edge.store import Snapshot

VALIDATION_SHARE = 0.2   # the last fifth of the sessions (orders) validates
MIN_CASES = 200          # fewer cases than this in the window: the defaults stand
MAX_CASES = 1500         # cases sampled per family: enough to decide, cheap to replay
MIN_BUDGET = 5.0         # seconds: a small shop's build is faster than one pass of the search


@dataclass(frozen=True)
class Family:
    name: str
    recipe: str
    page: str
    slot: str


BASKET = Family("basket", "cart", "cart", "bought_together")
NEXT_ITEM = Family("next_item", "similar", "product", "similar")


def request(family: Family, case: Case, n: int = 10) -> Any:
    """The storefront request of a case: the cart page with the rest of the order, or the
    product page of the last click with the earlier clicks as history."""
    if family.page == "cart":
        return context("cart", cart=case.seeds, n=n)
    return context("product", item=int(case.seeds[-1]), history=case.seeds[:-1], n=n)


def hits(snap: Snapshot, family: Family, cases: list[Case], weights: np.ndarray, settings: Settings,
         k: int = 10, similar_half_life: float | None = None, seen: np.ndarray | None = None) -> np.ndarray:
    """Per case: is the target among the slot's first ``k`` items? ``seen`` (one flag per item), when
    given, also marks every item shown."""
    out = np.zeros(len(cases), dtype=bool)
    served = planner(snap, settings, weights=weights, similar_half_life=similar_half_life)
    for i, case in enumerate(cases):
        ids = slot_ids(served, request(family, case, k), family.slot)[:k]
        out[i] = case.target in ids.tolist()
        if seen is not None:
            seen[ids] = True
    return out


def covered(snap: Snapshot, family: Family, cases: list[Case], weights: np.ndarray, settings: Settings,
            similar_half_life: float | None = None) -> int:
    """How many distinct items the slot shows over ``cases``: the window's catalog coverage."""
    seen = np.zeros(len(snap.arrays["price"]), dtype=bool)  # a tuning frame: arrays and manifest, no n_items
    hits(snap, family, cases, weights, settings, similar_half_life=similar_half_life, seen=seen)
    return int(seen.sum())



def _sample(cases: list[Case], limit: int, seed: int = 0) -> list[Case]:
    if len(cases) <= limit:
        return cases
    pick = np.random.default_rng(seed).choice(len(cases), size=limit, replace=False)
    return [cases[i] for i in np.sort(pick)]


def has_browsing(events: Events) -> bool:
    return bool(np.isin(events.kind, (EventType.VIEW, EventType.CLICK, EventType.CART)).any())


def family_cases(events: Events, cut: int, *, max_cases: int = MAX_CASES) -> dict[Family, list[Case]]:
    out = {BASKET: _sample(list(basket_cases(events, cut, every=True)), max_cases)}
    if has_browsing(events):
        out[NEXT_ITEM] = _sample(list(next_item_cases(events, cut)), max_cases)
    return out


# What the replayed slots read besides the neighbour tables: the two rankings their chains fall
# back on (the others stay empty) and the arrays every plan takes.
FRAME_RANKINGS = ("bestsellers", "bestsellers_category")


def validation_frame(train: Events, catalog: Catalog, now: int, params: Any,
                     say: Callable[[str], None]) -> Snapshot:
    """What the planner reads of a snapshot of ``train``, in memory: the neighbour tables, the
    rankings the replayed slots fall back on, the catalog and social-proof arrays."""
    return frame_from(aggregate(train, len(catalog), now, params.window), catalog, now, params, say,
                      has_browsing(train))


def frame_from(aggs: Aggregates, catalog: Catalog, now: int, params: Any, say: Callable[[str], None],
               has_views: bool) -> Snapshot:
    """``validation_frame`` from either engine's aggregates of the events before the cut."""
    arrays: dict[str, np.ndarray] = {"price": catalog.price, "category": catalog.category,
                                     "in_stock": catalog.in_stock, "margin": catalog.margin, **aggs.social}
    arrays.update(neighbour_arrays(aggs, catalog, params, say))
    arrays.update(ranking_arrays(aggs, catalog, now, params, FRAME_RANKINGS))
    for name in RANKINGS:
        if name not in FRAME_RANKINGS:
            arrays.update({f"{name}/indptr": np.zeros(1, np.int64), f"{name}/items": np.zeros(0, np.int32),
                           f"{name}/scores": np.zeros(0, np.float32)})
    # Nothing is spliced: the render data the kernel bundle names is empty.
    arrays.update({"render_blob": np.zeros(0, np.uint8)})
    frame = SimpleNamespace(arrays=arrays, render_offsets=np.zeros(len(catalog) + 1, np.int64),
                            manifest=SimpleNamespace(tables=list(NEIGHBOUR_TABLES), tune=None),
                            has_views=has_views)
    return cast(Snapshot, frame)


@dataclass(frozen=True)
class Validation:
    """What the search needs of a build's events, whichever engine holds them."""

    cut: int                            # the window starts here (``cutoff``)
    cases: dict[Family, list[Case]]     # ``family_cases`` of the window
    has_views: bool                     # the events before the cut hold views, clicks or carts
    train: Callable[[], Aggregates]     # their aggregates at ``cut - 1``, asked for only if a family is searched


def single_node(events: Events, catalog: Catalog, params: Any) -> Validation:
    cut = cutoff(events, 1.0 - VALIDATION_SHARE)
    before = events.ts < cut

    def aggregates() -> Aggregates:

        return aggregate(events.take(before), len(catalog), cut - 1, params.window)

    views = bool(np.isin(events.kind[before], (EventType.VIEW, EventType.CLICK, EventType.CART)).any())
    return Validation(cut, family_cases(events, cut), views, aggregates)


def tune(events: Events | Callable[[], Validation], catalog: Catalog, params: Any, budget: float, *,
         settings: Settings | None = None, clock: Clock = time.perf_counter,
         say: Callable[[str], None] | None = None) -> Tune | None:
    """The tuned weights for this shop, or None when no family has enough validation cases.
    ``events``: the encoded events, or (the Spark engine) what computes their ``Validation``.
    ``budget``: seconds (at least ``MIN_BUDGET``), counted from the call."""
    say = say or (lambda _step: None)
    started = clock()
    deadline = started + max(budget, MIN_BUDGET)
    settings = settings or Settings()
    if isinstance(events, Events) and len(events) == 0:
        return None
    window = single_node(events, catalog, params) if isinstance(events, Events) else events()
    cut = window.cut
    families = {f: c for f, c in window.cases.items() if len(c) >= MIN_CASES}
    if not families:
        return None
    say("tuning: tables of the validation window")
    aggs = window.train()
    frame = frame_from(aggs, catalog, cut - 1, params, say, window.has_views)
    defaults = default_weights()
    indptr = frame.arrays["nbr_indptr"]
    filled = [t for t in range(indptr.shape[0]) if indptr[t, -1] > indptr[t, 0]]  # an empty table cannot matter
    weights: dict[str, dict[str, float]] = {}
    half_life: float | None = None  # similar_history_half_life, when it moved
    scored: dict[str, Scoring] = {}  # table -> scoring, when it moved (edge.evaluate.tune_tables)
    measured: dict[str, float | int | str] = {"cutoff": cut, "min_cases": MIN_CASES}
    for family, cases in families.items():
        if clock() >= deadline:
            measured[f"{family.name}_skipped"] = "out of time"
            continue
        row = RECIPES.index(family.recipe)
        say(f"tuning {family.name} on {len(cases):,} cases")

        def score(trial: np.ndarray, row: int = row, family: Family = family,
                  cases: list[Case] = cases) -> np.ndarray:
            matrix = defaults.copy()
            matrix[row] = trial
            return hits(frame, family, cases, matrix, settings)

        began = clock()
        best, best_score, base, evaluations = coordinate_descent(score, defaults[row], deadline, clock, filled)
        replay = (clock() - began) / evaluations  # what one more replay will take
        measured.update({f"{family.name}_cases": len(cases), f"{family.name}_hr_default": round(base, 4),
                         f"{family.name}_hr_tuned": round(best_score, 4),
                         f"{family.name}_evaluations": evaluations})
        if not np.array_equal(best, defaults[row]):
            weights[family.recipe] = {t: float(w) for t, w in zip(NEIGHBOUR_TABLES, best.tolist(), strict=True)}
        chosen_weights = defaults.copy()  # every recipe's defaults, this family's as the search left it
        chosen_weights[row] = best
        if family is BASKET and clock() < deadline:  # then how bought-together is scored, with those weights

            def by_scoring(scoring: Scoring, matrix: np.ndarray = chosen_weights,
                           cases: list[Case] = cases) -> np.ndarray:
                trial = rescored(frame, aggs, catalog, params, {"bought_together": scoring}) if scoring else frame
                return hits(trial, BASKET, cases, matrix, settings)

            way, way_hr, _, tried = choose_scoring(by_scoring, deadline, clock, replay)
            measured.update({"basket_scoring": describe(way), "basket_hr_scoring": round(way_hr, 4),
                             "basket_scoring_evaluations": tried})
            if way:
                scored["bought_together"] = way
        if family is NEXT_ITEM and clock() < deadline:  # then how far back the history reaches, with those weights

            def by_half_life(h: float, matrix: np.ndarray = chosen_weights,
                             cases: list[Case] = cases) -> np.ndarray:
                return hits(frame, NEXT_ITEM, cases, matrix, settings, similar_half_life=h)

            start = float(settings.similar_history_half_life)
            chosen, chosen_hr, _, tried = choose_half_life(by_half_life, start, deadline, clock)
            measured.update({"next_item_half_life": chosen, "next_item_hr_half_life": round(chosen_hr, 4),
                             "next_item_half_life_evaluations": tried})
            if chosen != start:
                half_life = chosen
        rescore = family is BASKET and bool(scored)
        reach = half_life if family is NEXT_ITEM else None
        if family.recipe in weights or rescore or reach is not None:
            # A move must not narrow what the slot shows: the window's coverage, tuned against default.
            if clock() + 2.5 * replay > deadline:
                kept = "no time to check coverage"
            else:
                trial = rescored(frame, aggs, catalog, params, scored) if rescore else frame
                before = covered(frame, family, cases, defaults, settings)
                after = covered(trial, family, cases, chosen_weights, settings, reach)
                measured.update({f"{family.name}_items_default": before, f"{family.name}_items_tuned": after})
                kept = "" if after >= before else "the tuned choice shows fewer items"
            if kept:
                measured[f"{family.name}_defaults_kept"] = kept
                weights.pop(family.recipe, None)
                if family is BASKET:
                    scored.clear()
                else:
                    half_life = None
    measured["seconds"] = round(clock() - started, 2)
    return Tune(weights=weights, similar_history_half_life=half_life, tables=scored, validation=measured)
