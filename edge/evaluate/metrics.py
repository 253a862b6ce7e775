"""Ranking metrics for one held-out target per case: HR@k, MRR@k, NDCG@k and coverage."""

from __future__ import annotations

import math

import msgspec
import numpy as np


class Scores(msgspec.Struct, frozen=True):
    cases: int
    hr: float
    mrr: float
    ndcg: float
    coverage: float


class Accumulator:
    """Adds up one model's answers; ``k`` is the cut-off of every metric."""

    def __init__(self, k: int, n_items: int) -> None:
        self.k = k
        self.n_items = n_items
        self.cases = 0
        self.hits = 0
        self.rr = 0.0
        self.gain = 0.0
        self.shown = np.zeros(n_items, dtype=bool)

    def add(self, recommended: np.ndarray, target: int) -> None:
        top = recommended[: self.k]
        self.cases += 1
        self.shown[top] = True
        where = np.flatnonzero(top == target)
        if where.size:
            rank = int(where[0])
            self.hits += 1
            self.rr += 1.0 / (rank + 1)
            self.gain += 1.0 / math.log2(rank + 2)

    def scores(self) -> Scores:
        n = max(self.cases, 1)
        return Scores(cases=self.cases, hr=self.hits / n, mrr=self.rr / n, ndcg=self.gain / n,
                      coverage=float(self.shown.sum()) / max(self.n_items, 1))
