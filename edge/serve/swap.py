"""Hot swap: serve the snapshot ``current`` points to, switching between requests.

What is served is a ``Served`` (edge/slots/served.py): the snapshot, the catalog overlay
resolved against it and the page kernel's bundles, swapped as one unit. A new version is
opened and warmed off the event loop (``warm`` may return the ``Served`` it prepared, with
its overlay); the switch is one assignment on the loop. An overlay change swaps a new
``Served`` for the same snapshot (``update``). The old snapshot closes once no request holds a
lease on it. A snapshot that fails to open or warm is refused with a log line and the old one
keeps serving.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from edge.errors import NotReadyError
from edge.slots.served import Served, serve
from edge.store import Snapshot, SnapshotDir

log = logging.getLogger("skylt.swap")


class _Lease:
    __slots__ = ("_holder", "_key")

    def __init__(self, holder: SnapshotHolder) -> None:
        self._holder = holder
        self._key = 0

    def __enter__(self) -> Served:
        served = self._holder.acquire()
        self._key = id(served.snapshot)
        return served

    def __exit__(self, *exc: object) -> None:
        self._holder._release(self._key)


class SnapshotHolder:
    def __init__(self, root: str | Path, warm: Callable[[Snapshot], Served | None],
                 on_swap: Callable[[Snapshot, Snapshot | None], None] | None = None) -> None:
        self.dir = SnapshotDir(root)
        self.served: Served | None = None
        self._warm = warm
        self._on_swap = on_swap
        self._leases: dict[int, int] = {}
        self._retired: list[Snapshot] = []
        self._refused: str | None = None
        self._prepared: dict[int, Served] = {}  # what ``warm`` made of each snapshot ``prepare`` returned

    @property
    def current(self) -> Snapshot | None:
        return self.served.snapshot if self.served is not None else None

    @contextmanager
    def lease(self) -> Iterator[Snapshot]:
        with self.lease_served() as served:
            yield served.snapshot

    def lease_served(self) -> _Lease:
        """The ``Served`` unit, its snapshot leased: it stays open until the lease ends (a class,
        not a generator: every computed request takes one)."""
        return _Lease(self)

    def acquire(self) -> Served:
        """The ``Served`` unit, its snapshot leased until ``release(served)``: what ``lease_served``
        does, without an object per request (the computed GET's path pairs them in try/finally)."""
        served = self.served
        if served is None:
            raise NotReadyError("no snapshot is loaded yet; build one with `skylt build`")
        key = id(served.snapshot)
        self._leases[key] = self._leases.get(key, 0) + 1
        return served

    def release(self, served: Served) -> None:
        self._release(id(served.snapshot))

    def _release(self, key: int) -> None:
        self._leases[key] -= 1
        if self._retired and not self._leases[key]:
            self._close_unleased()

    def prepare(self) -> Snapshot | None:
        """Open and warm the version ``current`` points to if it is new (blocking; call off the loop)."""
        version = self.dir.current_version()
        if version is None or version == self._refused:
            return None
        if self.current is not None and Path(version).name == self.current.path.name:
            return None
        try:
            snap = Snapshot(self.dir.root / version)
        except Exception as exc:
            self._refused = version
            log.error("refusing snapshot %s: %s", version, exc)
            return None
        try:
            served = self._warm(snap)
        except Exception as exc:
            snap.close()
            self._refused = version
            log.error("refusing snapshot %s: warm-up failed: %s", version, exc)
            return None
        if served is not None:
            self._prepared[id(snap)] = served
        return snap

    def install(self, snap: Snapshot) -> None:
        """Switch to ``snap`` (on the event loop, between requests), as ``warm`` prepared it."""
        prepared = self._prepared.pop(id(snap), None)
        served = prepared if prepared is not None and prepared.snapshot is snap else serve(snap)
        old = self.current
        self.served = served
        if self._on_swap is not None:
            self._on_swap(snap, old)
        log.info("serving snapshot %s (%d items)", snap.version, snap.n_items)
        if old is not None:
            self._retired.append(old)
            self._close_unleased()

    def _close_unleased(self) -> None:
        keep = []
        for snap in self._retired:
            if self._leases.get(id(snap), 0):
                keep.append(snap)
            else:
                self._leases.pop(id(snap), None)
                snap.close()
        self._retired = keep

    def update(self, served: Served) -> bool:
        """Serve ``served`` (the current snapshot under a new overlay) from the next request on;
        False if the snapshot was swapped meanwhile."""
        if self.served is None or served.snapshot is not self.served.snapshot:
            return False
        self.served = served
        return True

    async def refresh(self) -> bool:
        snap = await asyncio.to_thread(self.prepare)
        if snap is None:
            return False
        self.install(snap)
        return True

    async def watch(self, interval: float) -> None:
        while True:
            await asyncio.sleep(interval)
            try:
                await self.refresh()
            except Exception:  # the watcher must outlive any one bad snapshot
                log.exception("snapshot refresh failed")

    def close(self) -> None:
        current = self.current
        self.served = None  # the bundles hold views of the map: drop them first
        self._prepared.clear()
        for snap in [*self._retired, *([current] if current else [])]:
            snap.close()
        self._retired = []
