"""Free baselines on the same split and cases: popularity, and implicit's item-kNN.

implicit (``pip install 'skylt[eval]'``) is an evaluation dependency only, never a serving one.
Its cosine, BM25 and TF-IDF item-kNN (K=100) are fitted on the training groups (sessions for
next item, orders for baskets) and scored the usual way: the sum of the seeds' similarity rows,
each seed weighted 1 for a cart and ``decay ** steps back`` for a click history. Seeds are never
recommended; short lists are topped up with the training bestsellers, as Skylt's slots are.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np

from edge.build.frames import Events, EventType
from edge.errors import MissingExtraError
from edge.evaluate.protocols import Case

Model = Callable[[Case], np.ndarray]
KNN = ("cosine", "bm25", "tfidf")


def groups_matrix(train: Events, n_items: int, family: str):  # -> scipy.sparse.csr_matrix
    """Training groups x items, 1 where the group holds the item: orders for baskets (the
    purchases of each order), else sessions (every event of a session)."""
    from scipy.sparse import csr_matrix

    if family == "basket":
        mask = (train.kind == EventType.PURCHASE) & (train.order >= 0)
        group = train.order[mask]
    else:
        mask = train.session >= 0
        group = train.session[mask]
    items = train.item[mask]
    _, rows = np.unique(group, return_inverse=True)
    n_rows = int(rows.max()) + 1 if rows.size else 0
    m = csr_matrix((np.ones(rows.shape[0], np.float32), (rows, items)), shape=(n_rows, n_items))
    m.data[:] = 1.0  # duplicates were summed: presence only
    return m


def popularity_order(train: Events, n_items: int) -> np.ndarray:
    """Items by training events, most first (ties by id)."""
    counts = np.bincount(train.item, minlength=n_items)
    return np.lexsort((np.arange(n_items), -counts)).astype(np.int32)


def _top(scores: np.ndarray, seeds: np.ndarray, popular: np.ndarray, k: int) -> np.ndarray:
    scores = scores.copy()
    scores[seeds] = -np.inf
    nz = np.flatnonzero(scores > 0)
    best = nz[np.lexsort((nz, -scores[nz]))][:k].astype(np.int32)
    if best.shape[0] < k:
        taken = set(best.tolist()) | set(seeds.tolist())
        more = [i for i in popular[: k + len(taken)].tolist() if i not in taken][: k - best.shape[0]]
        best = np.concatenate([best, np.asarray(more, np.int32)])
    return best


def popularity_model(popular: np.ndarray, k: int) -> Model:
    def model(case: Case) -> np.ndarray:
        seen = set(case.seeds.tolist())
        return np.asarray([i for i in popular[: k + len(seen)].tolist() if i not in seen][:k], np.int32)
    return model


def knn_models(train: Events, n_items: int, family: str, k: int, *, neighbours: int = 100,
               decay: float = 0.5) -> dict[str, Model]:
    """implicit's item-kNN models by name ("implicit cosine", ...)."""
    try:
        from implicit.nearest_neighbours import BM25Recommender, CosineRecommender, TFIDFRecommender
        from implicit.utils import ParameterWarning
    except ImportError:
        raise MissingExtraError("--baselines needs implicit: pip install 'skylt[eval]'") from None
    matrix = groups_matrix(train, n_items, family)
    popular = popularity_order(train, n_items)
    out: dict[str, Model] = {}
    for name, cls in zip(KNN, (CosineRecommender, BM25Recommender, TFIDFRecommender), strict=True):
        knn = cls(K=neighbours, num_threads=1)
        with warnings.catch_warnings():  # its own BM25/TF-IDF weighting hands itself COO: a note, not a fault
            warnings.simplefilter("ignore", ParameterWarning)
            knn.fit(matrix, show_progress=False)
        out[f"implicit {name}"] = _scorer(knn.similarity.tocsr(), popular, k, family, decay)
    return out


def _scorer(similarity, popular: np.ndarray, k: int, family: str, decay: float) -> Model:
    def model(case: Case) -> np.ndarray:
        seeds = case.seeds
        if family == "basket":
            w = np.ones(seeds.shape[0], np.float32)
        else:
            w = (decay ** np.arange(seeds.shape[0] - 1, -1, -1)).astype(np.float32)
        scores = np.asarray(similarity[seeds].T @ w).ravel()
        return _top(scores, seeds, popular, k)
    return model
