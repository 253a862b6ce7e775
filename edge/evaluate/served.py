"""The served planner, called the way ``GET /v1/recommend`` calls it, for offline measurement.

Evaluation and build-time tuning both ask one question: which items would this page's slot
show for this context, under these tunables? They ask it of a ``Served`` (edge/slots/served.py)
built the way a worker builds one, with the same tunables resolution (defaults, the manifest's
``tune``, explicit settings) and, for a tuning trial, another weight matrix; the answer comes
from the compiled planner a request runs (``edge.slots.compiled.plan_picks``), so what is
measured is what is served (``tests/evaluate/test_served.py`` checks it against the app).
"""

from __future__ import annotations

import numpy as np

from edge.config import Settings
from edge.layout import NEIGHBOUR_TABLES, Tune
from edge.slots.compiled import plan_picks
from edge.slots.context import Context, dense_context
from edge.slots.served import Served
from edge.slots.tunables import DEFAULT_WEIGHTS, RECIPES, resolve, weight_matrix
from edge.slots.tunables import tuned_weights as tuned_rows
from edge.store import Snapshot

__all__ = ["RECIPES", "context", "default_weights", "planner", "slot_ids", "tuned_weights"]
EMPTY_IDS = np.zeros(0, dtype=np.int32)


def default_weights(tables: tuple[str, ...] | list[str] = NEIGHBOUR_TABLES) -> np.ndarray:
    """The served default weight matrix (recipe x table)."""
    return weight_matrix(DEFAULT_WEIGHTS, tables)


def tuned_weights(tune: Tune | None, tables: tuple[str, ...] | list[str] = NEIGHBOUR_TABLES) -> np.ndarray:
    """The matrix a snapshot whose manifest holds ``tune`` serves with (the server's own resolution)."""
    return weight_matrix(tuned_rows(tune), tables)


def context(page: str, *, item: int = -1, history: np.ndarray = EMPTY_IDS, cart: np.ndarray = EMPTY_IDS,
            n: int = 10) -> Context:
    """A request's context from dense ids, as ``build_context`` makes it for an anonymous shopper."""
    return dense_context(page, n, item=item, history=history, cart=cart)


def planner(snap: Snapshot, settings: Settings, tune: Tune | None = None, weights: np.ndarray | None = None,
            similar_half_life: float | None = None) -> Served:
    """``snap`` served as a worker serves it, with ``tune`` in place of its manifest's and, for a tuning
    trial, ``weights`` (recipe x the snapshot's tables) in place of the resolved matrix and
    ``similar_half_life`` in place of the resolved ``similar_history_half_life``."""
    tables = list(snap.manifest.tables)
    tunables = resolve(settings, tune if tune is not None else getattr(snap.manifest, "tune", None), tables)
    if weights is not None:
        matrix = np.ascontiguousarray(weights, dtype=np.float32)
        assert matrix.shape == tunables.table_weights.shape, "one weight per recipe and table of the snapshot"
        tunables = tunables._replace(table_weights=matrix)
    if similar_half_life is not None:
        tunables = tunables._replace(similar_half_life=float(similar_half_life))
    return Served(snap, None, None, snap.arrays["price"], tunables)


def slot_ids(served: Served, ctx: Context, slot: str) -> np.ndarray:
    """The dense ids one slot shows."""
    return plan_picks(served, ctx, (slot,))[0]
