"""Fallback chains: a slot tries its steps in order until it holds ``n`` items.

Each step produces ranked ids under the slot's filters (with everything already picked
excluded) and explains its own picks, so a slot is never empty while eligible items exist.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

from edge.slots.picks import Picked
from tests.slots.oracle.recipes import EMPTY_IDS, EMPTY_SCORES, Filters, hide

Produce = Callable[[Filters, int], tuple[np.ndarray, np.ndarray]]
Explain = Callable[[np.ndarray], list[bytes]]  # JSON-encoded reasons


@dataclass(frozen=True)
class Step:
    produce: Produce
    explain: Explain


NOTHING = Picked(EMPTY_IDS, EMPTY_SCORES, [])


def run_chain(filters: Filters, n: int, steps: Iterable[Step]) -> Picked:
    ids: list[np.ndarray] = []
    scores: list[np.ndarray] = []
    reasons: list[bytes] = []
    have = 0
    for step in steps:
        got, got_scores = step.produce(filters, n - have)
        if got.size == 0:
            continue
        ids.append(got)
        scores.append(got_scores)
        reasons.extend(step.explain(got))
        have += got.shape[0]
        if have >= n:
            break  # before the next step is even built
        filters = filters._replace(exclude=hide(filters.exclude, got))  # later steps skip what this one took
    if not ids:
        return NOTHING
    if len(ids) == 1:
        return Picked(ids[0], scores[0], reasons)
    return Picked(np.concatenate(ids), np.concatenate(scores), reasons)
