"""The only code that opens snapshots.

A snapshot is opened read-only inside one long-lived LMDB read transaction with
``buffers=True``: every array is a read-only numpy view straight onto the memory map, so
opening costs a manifest decode and a few pointer casts, and every worker process shares
the same pages through the OS page cache.
"""

from __future__ import annotations

import contextlib
import mmap
import os
from pathlib import Path
from typing import cast

import lmdb
import numpy as np

from edge.errors import SnapshotError
from edge.idtable import IdTable
from edge.layout import (
    IDS_DB,
    MANIFEST_KEY,
    NEIGHBOUR_TABLES,
    P_OVERFLOW,
    PAGE_HEADER,
    SCHEMA_VERSION,
    Manifest,
    array_key,
    manifest_decoder,
    overflow_header,
)

CURRENT = "current"
# Ids recently asked for, per snapshot and worker: popular items repeat across requests and a
# dict hit is cheaper than even the compiled id table (edge/idtable.py). Bounded, so memory stays flat.
ID_CACHE_SIZE = 65_536
# From this many ids not in the cache on, one lookup asks the id table rather than LMDB.
ID_TABLE_MIN = 4
_NO_IDS = np.zeros(0, dtype=np.int32)

# LMDB allows one handle per environment and process; snapshots of the same path share it.
_open_envs: dict[str, tuple[lmdb.Environment, int]] = {}


def _acquire_env(path: Path) -> lmdb.Environment:
    key = str(path.resolve())
    env, users = _open_envs.get(key, (None, 0))
    if env is None:
        env = lmdb.open(key, readonly=True, lock=False, max_dbs=2, subdir=True)
    _open_envs[key] = (env, users + 1)
    return env


def _release_env(path: Path) -> None:
    key = str(path.resolve())
    env, users = _open_envs.pop(key, (None, 0))
    if env is None:
        return
    if users > 1:
        _open_envs[key] = (env, users - 1)
    else:
        env.close()


class Snapshot:
    """An open, immutable snapshot. Arrays are attributes of ``arrays`` and read-only."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self._env = _acquire_env(path)
        except lmdb.Error as exc:
            raise SnapshotError(f"{path}: cannot open snapshot: {exc}") from exc
        try:
            self._txn = self._env.begin(buffers=True)
            raw = self._txn.get(MANIFEST_KEY)
            if raw is None:
                raise SnapshotError(f"{path}: no manifest; not a Skylt snapshot")
            self.manifest: Manifest = manifest_decoder.decode(raw)
            if self.manifest.schema != SCHEMA_VERSION:
                raise SnapshotError(f"{path}: schema {self.manifest.schema}, this server reads {SCHEMA_VERSION}")
            self._ids = self._env.open_db(IDS_DB, txn=self._txn, create=False)
            self._page = self._env.stat()["psize"]
            with open(path / "data.mdb", "rb") as fh:
                self._file = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
            self.arrays = {name: self._map(name) for name in self.manifest.arrays}
        except Exception as exc:
            self.close()
            if isinstance(exc, SnapshotError):
                raise
            raise SnapshotError(f"{path}: corrupt or incompatible snapshot: {exc}") from exc
        self.version = self.manifest.version
        self.n_items = self.manifest.n_items
        self.table_index = {name: t for t, name in enumerate(self.manifest.tables)}
        self._category_index = {name: c for c, name in enumerate(self.manifest.categories)}
        self._region_index = {name: r for r, name in enumerate(self.manifest.regions)}
        self._segment_index = {name: s for s, name in enumerate(self.manifest.segments)}
        self._subtrees: dict[str, np.ndarray] = {}
        counts = self.manifest.counts
        # Co-view tables come from orders when a shop sends no views; explanations say so.
        self.has_views = counts.get("events_view", 0) + counts.get("events_click", 0) + \
            counts.get("events_cart", 0) > 0
        self._id_cache: dict[str, int] = {}
        self._id_table: IdTable | None = None
        self.render_offsets = self.arrays["render_offsets"]
        self.render_blob = self.arrays["render_blob"].data

    def _map(self, name: str) -> np.ndarray:
        spec = self.manifest.arrays[name]
        dtype = np.dtype(spec.dtype)
        expected = dtype.itemsize * int(np.prod(spec.shape, dtype=np.int64))
        if spec.offset >= 0:
            # Large values: straight from the file map, after checking that LMDB's page
            # header there really opens an overflow run long enough for the array.
            start = spec.offset - PAGE_HEADER
            if start % self._page or spec.offset + expected > len(self._file):
                raise SnapshotError(f"{self.path}: array {name!r} lies outside the data file")
            pgno, flags, pages = overflow_header(self._file[start:spec.offset])
            if pgno * self._page != start or not flags & P_OVERFLOW or pages * self._page < expected:
                raise SnapshotError(f"{self.path}: array {name!r} is not where the manifest says")
            buf: memoryview = memoryview(self._file)[spec.offset:spec.offset + expected]
        else:
            got = self._txn.get(array_key(name))
            if got is None:
                raise SnapshotError(f"{self.path}: array {name!r} is missing")
            buf = got
        if len(buf) != expected:
            raise SnapshotError(f"{self.path}: array {name!r} has {len(buf)} bytes, manifest says {expected}")
        return np.frombuffer(buf, dtype=dtype).reshape(spec.shape)  # read-only views of the map

    # -- ids ---------------------------------------------------------------------------

    def prepare_ids(self) -> None:
        """Build the id table and run its probe once now (the warm-up), not on a shopper's request."""
        if self._id_table is None and "ext_blob" in self.arrays:
            self._id_table = IdTable(self.arrays["ext_offsets"], self.arrays["ext_blob"])
            self._id_table.rows([""])

    def _resolve(self, item_ids: list[str]) -> list[int]:
        """Rows of ids the cache does not hold (-1: unknown), then cached: a few through LMDB, more
        in one call to the id table, which costs about 2.4 us a call and 0.4 an id against LMDB's
        0.6-1.8 an id (1M items)."""
        if len(item_ids) >= ID_TABLE_MIN and "ext_blob" in self.arrays:
            self.prepare_ids()  # done by the warm-up, once per snapshot and worker
            rows = cast(IdTable, self._id_table).rows(item_ids)
        else:
            got = [self._txn.get(i.encode(), db=self._ids) for i in item_ids]
            rows = [-1 if raw is None else int.from_bytes(raw, "little") for raw in got]
        if len(self._id_cache) + len(item_ids) > ID_CACHE_SIZE:
            self._id_cache.clear()
        self._id_cache.update(zip(item_ids, rows, strict=True))
        return rows

    def index_of(self, item_id: str) -> int:
        """Dense id of an external item id, -1 when unknown."""
        dense = self._id_cache.get(item_id)
        return self._resolve([item_id])[0] if dense is None else dense

    def lookup(self, item_ids: list[str]) -> tuple[np.ndarray, int]:
        """Dense ids of the known ``item_ids`` (order kept) and how many were unknown."""
        if not item_ids:
            return _NO_IDS, 0
        # Popular ids are cached: one C-level pass, no Python call per id; the cold ones in one
        # compiled call; the filter and its list only when an id is unknown (-1), the rare case.
        cached = list(map(self._id_cache.get, item_ids))
        if None in cached:
            cold = list(dict.fromkeys(i for i, d in zip(item_ids, cached, strict=True) if d is None))
            found = dict(zip(cold, self._resolve(cold), strict=True))
            dense = [found[i] if d is None else d for i, d in zip(item_ids, cached, strict=True)]
        else:
            dense = cast(list[int], cached)
        if -1 not in dense:
            return np.array(dense, dtype=np.int32), 0
        known = [d for d in dense if d >= 0]
        return np.array(known, dtype=np.int32), len(dense) - len(known)

    def external_id(self, index: int) -> str:
        off = self.arrays["ext_offsets"]
        return bytes(self.arrays["ext_blob"][off[index]:off[index + 1]]).decode()

    def render(self, index: int) -> bytes:
        """The pre-encoded JSON members of an item (see ``edge.build.render``)."""
        off = self.render_offsets
        return self.render_blob[off[index]:off[index + 1]].tobytes()

    # -- names -------------------------------------------------------------------------

    def category_id(self, name: str) -> int:
        return self._category_index.get(name, -1)

    def category_subtree(self, path: str) -> np.ndarray:
        """Ids of category ``path`` and every category below it ("Kitchen" covers "Kitchen > Mugs")."""
        cached = self._subtrees.get(path)
        if cached is None:
            prefix = path.strip() + " > "
            cached = np.array([c for name, c in self._category_index.items()
                               if name == path.strip() or name.startswith(prefix)], dtype=np.int32)
            if len(self._subtrees) < 10_000:
                self._subtrees[path] = cached
        return cached

    def region_id(self, name: str) -> int:
        return self._region_index.get(name, -1)

    def segment_id(self, name: str) -> int:
        return self._segment_index.get(name, -1)

    # -- tables ------------------------------------------------------------------------

    def ranking(self, name: str, group: int = 0) -> tuple[np.ndarray, np.ndarray]:
        """Items and scores of one group's ranked list, best first; empty for unknown groups."""
        indptr = self.arrays[f"{name}/indptr"]
        if not 0 <= group < indptr.shape[0] - 1:
            group = -1
        if group < 0:
            return self.arrays[f"{name}/items"][:0], self.arrays[f"{name}/scores"][:0]
        lo, hi = indptr[group], indptr[group + 1]
        return self.arrays[f"{name}/items"][lo:hi], self.arrays[f"{name}/scores"][lo:hi]

    def neighbours(self, table: str, index: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(ids, scores, counts) of one item in one neighbour table."""
        t = self.table_index[table]
        lo, hi = self.arrays["nbr_indptr"][t, index], self.arrays["nbr_indptr"][t, index + 1]
        return self.arrays["nbr_indices"][lo:hi], self.arrays["nbr_scores"][lo:hi], self.arrays["nbr_counts"][lo:hi]

    def close(self) -> None:
        # Arrays handed out earlier point into the map: callers drop them before closing.
        for view in ("render_blob", "render_offsets", "arrays", "_id_table"):
            self.__dict__.pop(view, None)
        txn = self.__dict__.pop("_txn", None)
        if txn is not None:
            txn.abort()
        mapped = self.__dict__.pop("_file", None)
        if mapped is not None:
            # A caller may still hold an array; the map then goes when that array does.
            with contextlib.suppress(BufferError):
                mapped.close()
        if self.__dict__.pop("_env", None) is not None:
            _release_env(self.path)

    def __enter__(self) -> Snapshot:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_snapshot(path: str | os.PathLike[str]) -> Snapshot:
    """Open a version directory, or the version ``current`` points to in a tables directory."""
    p = Path(path)
    if (p / CURRENT).exists():
        p = (p / CURRENT).resolve()
    if not (p / "data.mdb").exists():
        raise SnapshotError(f"{p}: no snapshot here (expected data.mdb or a 'current' link)")
    return Snapshot(p)


class SnapshotDir:
    """A tables directory written by ``skylt build``: knows which version is current."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    def current_version(self) -> str | None:
        try:
            return os.readlink(self.root / CURRENT)
        except (FileNotFoundError, OSError):
            return None

    def open_current(self) -> Snapshot:
        version = self.current_version()
        if version is None:
            raise SnapshotError(f"{self.root}: no current snapshot; run `skylt build` first")
        return Snapshot(self.root / version)

    def changed(self, snapshot: Snapshot | None) -> bool:
        """True when ``current`` points to another version than ``snapshot``."""
        version = self.current_version()
        return version is not None and (snapshot is None or Path(version).name != snapshot.path.name)


__all__ = ["NEIGHBOUR_TABLES", "Snapshot", "SnapshotDir", "open_snapshot"]
