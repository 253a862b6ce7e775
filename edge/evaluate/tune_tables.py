"""Build-time tuning of how a table is scored: the bought-together normalisation and its size.

After the basket family's weights are chosen (``edge.evaluate.tune``), the bought-together table
is scored each of the ``SCORING_TRIALS`` ways in turn (BM25, cosine with shrinkage, the default's
shrinkage moved; ``edge.build.tables.baskets``), then with ``K_TRIALS`` neighbours per item,
each against the best so far and kept only on a paired win (``edge.evaluate.search``). Every trial rescores
the table from the window's training aggregate and replays the window through the served
planner; the same time rule as the weights' search keeps it within the build's bound.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any, cast

import numpy as np

from edge.build.aggregate import Aggregates
from edge.build.arrays import rescore_tables
from edge.build.frames import Catalog
from edge.evaluate.search import Clock, choose, rate
from edge.store import Snapshot

Scoring = dict[str, float | str]

# Tried against the default (``baskets.DEFAULT_SCORING``, here ``{}``) and then the best so far.
SCORING_TRIALS: tuple[Scoring, ...] = (
    {"method": "bm25", "k1": 100.0, "b": 0.8},      # implicit's BM25 defaults
    {"method": "bm25", "k1": 1.2, "b": 0.75},       # the text-retrieval defaults
    {"method": "cosine", "shrinkage": 10.0},
    {"method": "cosine", "shrinkage": 1.0},
    {"method": "confidence", "shrinkage": 10.0},
    {"method": "confidence", "shrinkage": 1.0},
)
K_TRIALS = (25, 100)   # neighbours kept per item, merged into the best scoring


def choose_scoring(score: Callable[[Scoring], np.ndarray], deadline: float,
                   clock: Clock = time.perf_counter, spent: float = 0.0) -> tuple[Scoring, float, float, int]:
    """The bought-together scoring the window prefers (``{}``: the default), its hit rate, the
    default's and the evaluations (0: no time for even the default's replay, which an earlier one
    lasting ``spent`` seconds predicts): first the normalisations, then the size on the winner."""
    began = clock()
    if began + 1.25 * spent > deadline:
        return {}, 0.0, 0.0, 0
    start = score({})
    spent = clock() - began
    best, hits, evaluations = choose(score, SCORING_TRIALS, {}, start, spent, deadline, clock)
    sized = [{**best, "k": float(k)} for k in K_TRIALS]
    best, hits, more = choose(score, sized, best, hits, spent, deadline, clock)
    return best, rate(hits), rate(start), 1 + evaluations + more


def rescored(frame: Snapshot, aggs: Aggregates, catalog: Catalog, params: Any,
             tables: dict[str, Scoring]) -> Snapshot:
    """A validation frame with ``tables`` scored another way (nothing else copied)."""
    if not tables:
        return frame
    arrays = rescore_tables(frame.arrays, aggs, catalog, params, tables)
    return cast(Snapshot, SimpleNamespace(**{**vars(frame), "arrays": arrays}))


def describe(scoring: Scoring) -> str:
    """``method k=v ...`` for the manifest's validation notes ("default" for ``{}``)."""
    return " ".join(f"{k}={v}" if k != "method" else str(v) for k, v in scoring.items()) or "default"
