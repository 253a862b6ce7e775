"""Write a snapshot as one LMDB environment and publish it atomically.

A build writes into ``OUT/.<version>.partial``, syncs it, renames it to ``OUT/<version>``
and only then repoints the ``OUT/current`` symlink (rename over the old link is atomic).
A failed or killed build therefore never touches ``current``; its leftovers are removed by
the next build.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import time
from collections.abc import Mapping
from pathlib import Path

import lmdb
import msgspec
import numpy as np

from edge.fsync import fsync_dir
from edge.layout import (
    IDS_DB,
    MANIFEST_KEY,
    P_OVERFLOW,
    PAGE_HEADER,
    ArraySpec,
    Manifest,
    array_key,
    manifest_encoder,
    overflow_header,
)

CURRENT = "current"
PARTIAL_SUFFIX = ".partial"


def write_snapshot(out_dir: Path, manifest: Manifest, arrays: Mapping[str, np.ndarray],
                   item_ids: list[str]) -> Path:
    """Write arrays, the id map and the manifest to ``out_dir/.<version>.partial`` and return it."""
    out_dir.mkdir(parents=True, exist_ok=True)
    partial = out_dir / f".{manifest.version}{PARTIAL_SUFFIX}"
    if partial.exists():
        shutil.rmtree(partial)
    payload = sum(a.nbytes for a in arrays.values()) + sum(len(i) + 64 for i in item_ids)
    map_size = int(payload * 1.3) + (64 << 20)
    env = lmdb.open(str(partial), map_size=map_size, subdir=True, max_dbs=2, sync=True, metasync=True)
    try:
        with env.begin(write=True) as txn:
            for name, arr in arrays.items():
                txn.put(array_key(name), np.ascontiguousarray(arr).view(np.uint8).data)
        ids_db = env.open_db(IDS_DB)
        with env.begin(write=True, db=ids_db) as txn, txn.cursor() as cur:
            # Sorted keys let LMDB append pages instead of splitting them.
            order = sorted(range(len(item_ids)), key=lambda i: item_ids[i].encode())
            cur.putmulti(((item_ids[i].encode(), i.to_bytes(4, "little")) for i in order), append=True)
        manifest = msgspec.structs.replace(manifest, arrays=_locate(env, manifest.arrays))
        with env.begin(write=True) as txn:
            # A later, small write moves no overflow page, so the offsets stay true.
            txn.put(MANIFEST_KEY, manifest_encoder.encode(manifest))
        env.sync(True)
    finally:
        env.close()
    fsync_dir(partial)
    return partial


def _locate(env: lmdb.Environment, specs: dict[str, ArraySpec]) -> dict[str, ArraySpec]:
    """Record the file offset of every array LMDB keeps on overflow pages."""
    page = env.stat()["psize"]
    located = {}
    with env.begin(buffers=True) as txn:
        for name, spec in specs.items():
            value = txn.get(array_key(name))
            offset = -1
            if value is not None and len(value) > page:
                address = np.frombuffer(value, dtype=np.uint8).ctypes.data
                pgno, flags, _ = overflow_header(ctypes.string_at(address - PAGE_HEADER, PAGE_HEADER))
                if flags & P_OVERFLOW:
                    offset = pgno * page + PAGE_HEADER
            located[name] = msgspec.structs.replace(spec, offset=offset)
    return located


def array_specs(arrays: Mapping[str, np.ndarray]) -> dict[str, ArraySpec]:
    return {name: ArraySpec(dtype=a.dtype.str, shape=tuple(int(s) for s in a.shape))
            for name, a in arrays.items()}


def publish(partial: Path, keep: int = 3) -> Path:
    """Rename the finished snapshot into place, repoint ``current``, prune old versions."""
    out_dir = partial.parent
    final = out_dir / partial.name[1:-len(PARTIAL_SUFFIX)]
    os.replace(partial, final)
    point_current(out_dir, final.name)
    prune(out_dir, keep)
    return final


def point_current(out_dir: Path, version: str) -> None:
    """Repoint ``current`` at ``version`` in one rename: readers see the old link or the new one."""
    link_tmp = out_dir / f".{CURRENT}.{os.getpid()}"
    if link_tmp.is_symlink() or link_tmp.exists():
        link_tmp.unlink()
    os.symlink(version, link_tmp)
    os.replace(link_tmp, out_dir / CURRENT)
    fsync_dir(out_dir)


def versions(out_dir: Path) -> list[Path]:
    """Published versions, oldest first (names start with a sortable UTC timestamp)."""
    return sorted(p for p in out_dir.iterdir()
                  if p.is_dir() and not p.is_symlink() and not p.name.startswith(".") and (p / "data.mdb").exists())


def prune(out_dir: Path, keep: int) -> None:
    """Keep the newest ``keep`` versions and whatever ``current`` points to; drop stale partial builds."""
    current = (out_dir / CURRENT).resolve()
    for old in versions(out_dir)[:-max(keep, 1)]:
        if old.resolve() != current:
            shutil.rmtree(old, ignore_errors=True)
    for leftover in out_dir.glob(f".*{PARTIAL_SUFFIX}"):
        if leftover.is_dir() and not _owned_by_live_process(leftover):
            shutil.rmtree(leftover, ignore_errors=True)


def _owned_by_live_process(partial: Path) -> bool:
    # A concurrent build may still be writing it: leave partials touched in the last hour.
    try:
        return time.time() - partial.stat().st_mtime < 3600
    except FileNotFoundError:
        return False

