"""Overridden prices where the kernels read them: one shared price array per snapshot version.

Every price rule (the request's band, the ``upsell`` band, the ``addons`` cap, ``alternatives``,
the price reasons) reads ``Served.prices`` (edge/slots/served.py). With price overrides, that is
a read-only map of ``<overlay>/prices-<version>.f32`` instead of the snapshot's own array: the
snapshot's prices with the overrides applied, one file per machine that every worker maps, so
the page cache holds one copy however many workers there are. Whichever worker first sees a new generation brings the
file up to it under an exclusive lock, writing only the prices that differ, so readers in other
processes never see a price other than an old or a new one.
"""

from __future__ import annotations

import fcntl
import mmap
import os
from pathlib import Path
from typing import NamedTuple

import numpy as np

from edge.store import Snapshot

HEADER = 64  # the generation (u64), then the prices from an aligned offset
CHUNK = 1 << 16  # prices compared per step: memory stays flat whatever the catalog's size


class SharedPrices(NamedTuple):
    version: str       # the snapshot's
    inode: int         # of the file mapped: a file replaced since must be mapped again
    prices: np.ndarray  # read-only float32


def price_file(root: Path, snap: Snapshot) -> Path:
    return root / f"prices-{snap.path.name}.f32"


def prune(root: Path, snap: Snapshot) -> list[Path]:
    """Delete the price files of versions that are gone from the tables directory (``skylt build``
    keeps a few); a worker still mapping one keeps its pages until it swaps."""
    tables = snap.path.parent
    gone = [f for f in root.glob("prices-*.f32") if not (tables / f.name[len("prices-"):-len(".f32")]).is_dir()]
    for f in gone:
        f.unlink(missing_ok=True)
    return gone


def publish(root: Path, snap: Snapshot, ids: np.ndarray, values: np.ndarray, generation: int) -> None:
    """Bring the shared file up to ``generation`` unless another worker already did (blocking)."""
    base = snap.arrays["price"]
    n = int(base.shape[0])
    size = HEADER + 4 * n
    order = np.argsort(ids, kind="stable")
    ids, values = ids[order], values[order].astype(np.float32)
    root.mkdir(parents=True, exist_ok=True)  # made by the first price change when the overlay lives elsewhere
    fd = os.open(price_file(root, snap), os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        fresh = os.fstat(fd).st_size != size
        if fresh:
            os.ftruncate(fd, size)
        with mmap.mmap(fd, size) as mm:
            if not fresh and int.from_bytes(mm[:8], "little") >= generation:
                return
            shared = np.frombuffer(mm, dtype=np.float32, count=n, offset=HEADER)
            for lo in range(0, n, CHUNK):
                hi = min(lo + CHUNK, n)
                want = base[lo:hi].copy()
                a, b = np.searchsorted(ids, [lo, hi])
                want[ids[a:b] - lo] = values[a:b]
                # Compare as bits: NaN (an unknown price) equals itself here.
                differ = np.flatnonzero(want.view(np.uint32) != shared[lo:hi].view(np.uint32))
                shared[lo + differ] = want[differ]
            mm[:8] = generation.to_bytes(8, "little")
            mm.flush()
            del shared  # the map cannot close while a view holds it
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def use_shared(root: Path, snap: Snapshot, held: SharedPrices | None = None) -> SharedPrices:
    """The shared file's prices for ``snap``: ``held`` (mapped before) unless the file was replaced
    since (someone deleted it), as writes to the new file never reach the old map."""
    n = int(snap.arrays["price"].shape[0])
    with open(price_file(root, snap), "rb") as fh:
        inode = os.fstat(fh.fileno()).st_ino
        if held is not None and held.version == snap.version and held.inode == inode:
            return held
        mapped = mmap.mmap(fh.fileno(), HEADER + 4 * n, access=mmap.ACCESS_READ)
    # Read-only, aligned, C-contiguous float32: the same array type the kernels were warmed with.
    return SharedPrices(snap.version, inode, np.frombuffer(mapped, dtype=np.float32, count=n, offset=HEADER))
