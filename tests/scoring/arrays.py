"""Random inputs shaped like a served snapshot, shared by the kernel tests."""

from __future__ import annotations

import numpy as np


def read_only(*arrays: np.ndarray) -> None:
    """Arrays mapped from a snapshot are read-only; kernels must accept that."""
    for a in arrays:
        a.flags.writeable = False


def stacked_offsets(rng: np.random.Generator, n: int, n_tables: int, max_row: int) -> tuple[np.ndarray, int]:
    """``indptr`` of a stacked CSR with random row lengths (rows may be empty) and its total size."""
    lens = rng.integers(0, max_row + 1, size=(n_tables, n))
    indptr = np.zeros((n_tables, n + 1), dtype=np.int64)
    indptr[:, 1:] = np.cumsum(lens, axis=1)
    indptr += np.concatenate([[0], np.cumsum(lens.sum(axis=1))[:-1]])[:, None]
    return indptr, int(lens.sum())
