"""Hot swap: serve the snapshot ``current`` points to, switching between requests.

A new version is opened and warmed off the event loop; the switch is one assignment on
the loop. The old snapshot closes once no request holds a lease on it. A snapshot that
fails to open or warm is refused with a log line and the old one keeps serving.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from edge.errors import NotReadyError
from edge.store import Snapshot, SnapshotDir

log = logging.getLogger("skylt.swap")


class SnapshotHolder:
    def __init__(self, root: str | Path, warm: Callable[[Snapshot], None],
                 on_swap: Callable[[Snapshot, Snapshot | None], None] | None = None) -> None:
        self.dir = SnapshotDir(root)
        self.current: Snapshot | None = None
        self._warm = warm
        self._on_swap = on_swap
        self._leases: dict[int, int] = {}
        self._retired: list[Snapshot] = []
        self._refused: str | None = None

    @contextmanager
    def lease(self) -> Iterator[Snapshot]:
        snap = self.current
        if snap is None:
            raise NotReadyError("no snapshot is loaded yet; build one with `skylt build`")
        key = id(snap)
        self._leases[key] = self._leases.get(key, 0) + 1
        try:
            yield snap
        finally:
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
            self._warm(snap)
        except Exception as exc:
            snap.close()
            self._refused = version
            log.error("refusing snapshot %s: warm-up failed: %s", version, exc)
            return None
        return snap

    def install(self, snap: Snapshot) -> None:
        """Switch to ``snap`` (on the event loop, between requests)."""
        old, self.current = self.current, snap
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
        for snap in [*self._retired, *([self.current] if self.current else [])]:
            snap.close()
        self._retired, self.current = [], None
