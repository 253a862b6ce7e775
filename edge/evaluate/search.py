"""The searches of build-time tuning (``edge.evaluate.tune``): a paired test that decides whether a move
wins, coordinate descent over one recipe's table weights, and the choice of a history half-life. Each
takes a ``score`` that replays the validation window and ends before its ``deadline``."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

STEPS = (0.0, 0.5, 2.0)   # multipliers tried per table weight, then again from wherever a pass ended
FROM_ZERO = (0.3, 1.0)    # weights tried for a table at 0 (x the row's largest)
PASSES = 2
Z = 2.0                   # standard errors a move must win by (paired over the changed cases)
HALF_LIVES = (0.0, 0.5, 1.0, 2.0, 4.0)  # similar_history_half_life tried for next item (0: the item alone)

Clock = Callable[[], float]


def _candidates(row: np.ndarray, t: int) -> list[float]:
    w = float(row[t])
    if w > 0:
        return [w * m for m in STEPS if m != 1.0]
    top = float(row.max()) if row.max() > 0 else 1.0
    return [top * m for m in FROM_ZERO]


def rate(hits: np.ndarray) -> float:
    """The hit rate of per-case hits (0 without cases)."""
    return float(hits.mean()) if hits.size else 0.0


def better(trial: np.ndarray, current: np.ndarray) -> bool:
    """A paired sign test on the cases that change: the trial must win ``Z`` standard errors more
    than it loses (McNemar), so chance moves among many trials rarely pass."""
    gained = int((trial & ~current).sum())
    lost = int((current & ~trial).sum())
    return gained > lost and gained - lost >= Z * math.sqrt(gained + lost)


def coordinate_descent(score: Callable[[np.ndarray], np.ndarray], start: np.ndarray, deadline: float,
                       clock: Clock = time.perf_counter,
                       tables: list[int] | None = None) -> tuple[np.ndarray, float, float, int]:
    """(best row, its hit rate, the start's, evaluations). ``score`` gives per-case hits; a move
    must be ``better``. No evaluation starts unless the last one's duration (with a quarter to
    spare) still fits before ``deadline``: the search ends within it."""
    best = start.astype(np.float32, copy=True)
    began = clock()
    current = score(best)
    base = rate(current)
    spent = clock() - began
    evaluations = 1
    for _ in range(PASSES):
        moved = False
        for t in range(best.shape[0]) if tables is None else tables:
            for w in _candidates(best, t):
                began = clock()
                if began + 1.25 * spent > deadline:  # replays vary a little in length
                    return best, rate(current), base, evaluations
                trial = best.copy()
                trial[t] = w
                if trial.max() <= 0:
                    continue
                result = score(trial)
                spent = clock() - began
                evaluations += 1
                if better(result, current):
                    best, current, moved = trial, result, True
        if not moved:
            break
    return best, rate(current), base, evaluations


def choose(score: Callable[[Any], np.ndarray], options: Sequence[Any], best: Any, current: np.ndarray,
           spent: float, deadline: float, clock: Clock = time.perf_counter) -> tuple[Any, np.ndarray, int]:
    """Each of ``options`` in turn against the best so far (``best``, whose hits are ``current``),
    kept only when ``better``; no replay starts unless one as long as the last (``spent`` seconds),
    with a quarter to spare, still fits before ``deadline``. (best, its hits, evaluations)."""
    evaluations = 0
    for option in options:
        if option == best:
            continue
        began = clock()
        if began + 1.25 * spent > deadline:  # replays vary a little in length
            break
        result = score(option)
        spent = clock() - began
        evaluations += 1
        if better(result, current):
            best, current = option, result
    return best, current, evaluations


def choose_half_life(score: Callable[[float], np.ndarray], start: float, deadline: float,
                     clock: Clock = time.perf_counter) -> tuple[float, float, float, int]:
    """(best half-life, its hit rate, the start's, evaluations): each of ``HALF_LIVES`` in turn against
    the best so far, kept only when ``better``; the same time rule as ``coordinate_descent``."""
    began = clock()
    current = score(start)
    spent = clock() - began
    best, hits, evaluations = choose(score, HALF_LIVES, start, current, spent, deadline, clock)
    return best, rate(hits), rate(current), 1 + evaluations
