"""This worker's counters in shared memory, and the sum over every worker for a scrape.

Each worker maps a file of float64 values in the server's private metrics directory (made by
``edge/serve/servers.py``, mode 0700) and bumps its values in place: an increment is an indexed add
on a memoryview, as cheap as a Python attribute, and needs no lock on the one event loop. A
JSON index beside the file names the values (metric, label values -> offset, length); it is
rewritten only when a new child appears. A scrape, on whichever worker answers it, reads
every file in the directory and sums them, so counters and histograms cover the whole server,
and a worker that exited still counts, as prometheus_client's multiprocess mode keeps them.
Without a directory (an app in-process) the values live in private memory and a scrape sees
this process only.
"""

from __future__ import annotations

import contextlib
import json
import mmap
import os
import secrets
from pathlib import Path

CAPACITY = 1 << 15  # values per worker: many times what every page, slot, status and outcome take
Key = tuple[str, ...]  # the metric's name, then its label values


class Board:
    def __init__(self, directory: str | os.PathLike[str] | None = None) -> None:
        self.index: dict[Key, tuple[int, int]] = {}
        self._used = 0
        self.directory = Path(directory) if directory else None
        if self.directory is None:
            self.path: Path | None = None
            self.values = memoryview(bytearray(CAPACITY * 8)).cast("d")
            return
        # Unique per process and per board: a pid reused after a worker died must not take over its counts.
        self.path = self.directory / f"{os.getpid()}-{secrets.token_hex(6)}.counts"
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.ftruncate(fd, CAPACITY * 8)  # sparse: only the pages written take memory
            self._map = mmap.mmap(fd, CAPACITY * 8)
        finally:
            os.close(fd)
        self.values = memoryview(self._map).cast("d")

    def allocate(self, key: Key, length: int) -> int:
        """The offset of ``length`` new values named ``key``, all zero."""
        offset = self._used
        if offset + length > CAPACITY:
            raise RuntimeError(f"metrics board full at {key!r}")  # label values come from code, never requests
        self._used += length
        self.index[key] = (offset, length)
        if self.path is not None:
            # A request never fails over its metrics: if the directory went (the server is stopping), so be it.
            with contextlib.suppress(OSError):
                _write_index(self.path.with_suffix(".index"), self.index)
        return offset

    def totals(self) -> dict[Key, list[float]]:
        """Values by key, summed over every worker's board (only this one's without a directory)."""
        if self.directory is None:
            return {key: list(self.values[o:o + n]) for key, (o, n) in self.index.items()}
        out: dict[Key, list[float]] = {}
        for index in self.directory.glob("*.index"):
            for key, values in read(index).items():
                total = out.setdefault(key, [0.0] * len(values))
                for i, v in enumerate(values):
                    total[i] += v
        return out


def _write_index(path: Path, index: dict[Key, tuple[int, int]]) -> None:
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump([[list(k), o, n] for k, (o, n) in index.items()], f)
    os.replace(tmp, path)  # readers see the old index or the new, whole


def read(index: Path) -> dict[Key, list[float]]:
    """One worker's values by key, from its index and counts files; nothing if they went meanwhile."""
    try:
        entries = json.loads(index.read_text())
        counts = memoryview(index.with_suffix(".counts").read_bytes()).cast("d")
    except (OSError, ValueError):
        return {}  # removed or replaced under us: the next scrape reads it
    return {tuple(name): list(counts[offset:offset + length]) for name, offset, length in entries
            if offset + length <= len(counts)}
