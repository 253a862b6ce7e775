"""Hand-made snapshots for tests of the writer and the store (no builder involved)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from edge.build.writer import array_specs, publish, write_snapshot
from edge.layout import NEIGHBOUR_TABLES, RANKINGS, SCHEMA_VERSION, Manifest


def tiny_arrays(n: int = 4) -> dict[str, np.ndarray]:
    arrays: dict[str, np.ndarray] = {
        "price": np.arange(1, n + 1, dtype=np.float32),
        "category": np.zeros(n, dtype=np.int32),
        "in_stock": np.ones(n, dtype=bool),
        "nbr_indptr": np.zeros((len(NEIGHBOUR_TABLES), n + 1), dtype=np.int64),
        "nbr_indices": np.zeros(0, dtype=np.int32),
        "nbr_scores": np.zeros(0, dtype=np.float32),
        "nbr_counts": np.zeros(0, dtype=np.int32),
        "render_offsets": np.zeros(n + 1, dtype=np.int64),
        "render_blob": np.zeros(0, dtype=np.uint8),
    }
    for name in RANKINGS:
        arrays[f"{name}/indptr"] = np.array([0, n], dtype=np.int64)
        arrays[f"{name}/items"] = np.arange(n, dtype=np.int32)
        arrays[f"{name}/scores"] = np.linspace(1, 0, n, dtype=np.float32)
    return arrays


def tiny_manifest(version: str, arrays: dict[str, np.ndarray], n: int = 4, schema: int = SCHEMA_VERSION) -> Manifest:
    return Manifest(schema=schema, version=version, built_at="2026-01-01T00:00:00+00:00", now=0, n_items=n,
                    n_events=0, inputs=[], counts={}, params={}, tables=list(NEIGHBOUR_TABLES),
                    rankings=list(RANKINGS), arrays=array_specs(arrays), categories=["Kitchen", "Kitchen > Mugs"],
                    brands=[], regions=["SE"], segments=[])


def write_tiny(out: Path, version: str, keep: int = 3, schema: int = SCHEMA_VERSION) -> Path:
    arrays = tiny_arrays()
    ids = [f"item-{i}" for i in range(4)]
    return publish(write_snapshot(out, tiny_manifest(version, arrays, schema=schema), arrays, ids), keep=keep)
