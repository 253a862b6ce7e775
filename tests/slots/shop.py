"""A hand-made twelve-item shop, written through the snapshot writer, whose right answers the
worked examples in tests/slots/test_rules.py write down by hand.

Categories Mugs (0), Plates (1), Bags (2); regions SE, NO; segment b2b. Neighbours (score,
count): M1 was viewed with M3 (1.0, 7), X1 (0.95, 2), M5 (0.9, 4), M2 (0.8, 3), B2 (0.5, 1)
and is content-similar to M4 (1.0, 1); M4 was bought together with P1 (1.0, 6), P2 (0.9, 5)
and B1 (0.5, 2); B2's category fallback holds B1 (1.0, 6) and B3 (0.5, 3).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from edge.build.writer import array_specs, publish, write_snapshot
from edge.layout import NEIGHBOUR_TABLES, RANKINGS, SCHEMA_VERSION, Manifest, Tune

NAN = float("nan")
# id: (category, price, in stock, margin, bought this week, this month, viewed this week)
ITEMS = {
    "M1": (0, 10.0, True, 0.1, 5, 9, 0),
    "M2": (0, 12.0, True, 0.5, 0, 3, 0),
    "M3": (0, 8.0, True, 0.0, 0, 0, 0),
    "M4": (0, 20.0, True, NAN, 1, 1, 0),
    "M5": (0, 9.99, True, 0.5, 0, 0, 0),
    "P1": (1, 4.0, True, NAN, 2, 2, 0),
    "P2": (1, 6.0, True, NAN, 0, 1, 4),
    "P3": (1, 30.0, True, NAN, 0, 0, 0),
    "B1": (2, 2.5, True, NAN, 0, 0, 0),
    "B2": (2, 14.0, True, NAN, 0, 0, 0),
    "B3": (2, 16.0, False, NAN, 0, 0, 0),
    "X1": (0, 10.0, True, NAN, 0, 0, 0),
}
IDS = list(ITEMS)
# table -> seed -> [(neighbour, score, count)]
NEIGHBOURS = {
    "also_viewed": {"M1": [("M3", 1.0, 7), ("X1", 0.95, 2), ("M5", 0.9, 4), ("M2", 0.8, 3), ("B2", 0.5, 1)]},
    "bought_together": {"M4": [("P1", 1.0, 6), ("P2", 0.9, 5), ("B1", 0.5, 2)]},
    "similar_content": {"M1": [("M4", 1.0, 1)]},
    "bought_category": {"B2": [("B1", 1.0, 6), ("B3", 0.5, 3)]},
}
BESTSELLERS = ["M1", "P1", "M4", "M2", "P2", "B2", "B3", "M3", "B1", "P3", "M5", "X1"]
BY_CATEGORY = [["M1", "M4", "M2", "M3", "M5", "X1"], ["P1", "P2", "P3"], ["B2", "B3", "B1"]]
BY_REGION = [["B2", "P2"], []]
BY_SEGMENT = [["P3", "B1"]]
TRENDING = [["P2", "M2"]]


def _groups(groups: list[list[str]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    items = np.array([IDS.index(i) for g in groups for i in g], dtype=np.int32)
    indptr = np.cumsum([0, *(len(g) for g in groups)]).astype(np.int64)
    return indptr, items, np.linspace(1.0, 0.1, items.shape[0]).astype(np.float32)


def _blob(parts: list[bytes]) -> tuple[np.ndarray, np.ndarray]:
    offsets = np.cumsum([0, *(len(p) for p in parts)]).astype(np.int64)
    return offsets, np.frombuffer(b"".join(parts), dtype=np.uint8).copy()


def arrays() -> dict[str, np.ndarray]:
    n = len(IDS)
    cols = list(zip(*ITEMS.values(), strict=True))
    out: dict[str, np.ndarray] = {
        "category": np.array(cols[0], np.int32), "price": np.array(cols[1], np.float32),
        "in_stock": np.array(cols[2], bool), "margin": np.array(cols[3], np.float32),
        "purchases_7d": np.array(cols[4], np.int32), "purchases_30d": np.array(cols[5], np.int32),
        "views_7d": np.array(cols[6], np.int32),
    }
    indptr = np.zeros((len(NEIGHBOUR_TABLES), n + 1), np.int64)
    indices: list[int] = []
    scores: list[float] = []
    counts: list[int] = []
    for t, table in enumerate(NEIGHBOUR_TABLES):
        rows = NEIGHBOURS.get(table, {})
        indptr[t, 0] = len(indices)  # the tables share one index array
        for i, item in enumerate(IDS):
            for other, score, count in rows.get(item, []):
                indices.append(IDS.index(other))
                scores.append(score)
                counts.append(count)
            indptr[t, i + 1] = len(indices)
    out |= {"nbr_indptr": indptr, "nbr_indices": np.array(indices, np.int32),
            "nbr_scores": np.array(scores, np.float32), "nbr_counts": np.array(counts, np.int32)}
    for name, groups in (("bestsellers", [BESTSELLERS]), ("bestsellers_category", BY_CATEGORY),
                         ("bestsellers_region", BY_REGION), ("bestsellers_segment", BY_SEGMENT),
                         ("trending", TRENDING)):
        out[f"{name}/indptr"], out[f"{name}/items"], out[f"{name}/scores"] = _groups(groups)
    out["render_offsets"], out["render_blob"] = _blob([b'"id":"%s"' % i.encode() for i in IDS])
    out["ext_offsets"], out["ext_blob"] = _blob([i.encode() for i in IDS])
    assert set(RANKINGS) <= {name.split("/")[0] for name in out}
    return out


def write_shop(out: Path, tune: Tune | None = None, version: str = "shop-1") -> Path:
    a = arrays()
    manifest = Manifest(schema=SCHEMA_VERSION, version=version, built_at="2026-01-01T00:00:00+00:00", now=0,
                        n_items=len(IDS), n_events=100, inputs=[], counts={"events_view": 40}, params={},
                        tables=list(NEIGHBOUR_TABLES), rankings=list(RANKINGS), arrays=array_specs(a),
                        categories=["Mugs", "Plates", "Bags"], brands=[], regions=["SE", "NO"], segments=["b2b"],
                        tune=tune)
    publish(write_snapshot(out, manifest, a, IDS))
    return out
