"""The event archive (setting ``event_archive``): every replica's closed log segments in one store, so one
build reads the events all replicas took, and an erasure reaches every copy.

Layout: ``<url>/<replica>/<segment name>``, segments named as in the local log (edge/events/segments.py). A
replica ships its closed segments (not the newest of a running process, which may still grow), the events and
the slot impressions alike, each under a ``.partial`` name first and renamed once whole, so a reader never
takes half a segment. Shipping and erasure take the log directory's erasure lock, so a segment is never
shipped as it was before an erasure that is changing it. Archived segments past ``event_retention_days`` are
deleted as local ones are.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import re
import socket
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from edge.events.erase import erase_lock
from edge.events.segments import IMPRESSIONS, PREFIX, newest_per_pid, segments
from edge.replicas.release import StoreError, check_version
from edge.replicas.remote import open_store

log = logging.getLogger("skylt.archive")
_SEGMENT = re.compile(r"^(events|impressions)-(\d{8}T\d{12}Z)-\d+-\d+\.jsonl$")
PARTIAL = ".partial"
T = TypeVar("T")


def replica_name() -> str:
    """This machine's folder in the archive: its host name, as a path-safe name."""
    name = re.sub(r"[^0-9A-Za-z._-]", "-", socket.gethostname()).strip(".-") or "replica"
    return check_version(name[:128], "host name")


@dataclass
class Shipped:
    uploaded: int = 0
    pruned: int = 0


class Archive:
    def __init__(self, url: str, storage_options: dict[str, Any] | None = None) -> None:
        self.url = url
        self.fs, self.root = open_store(url, storage_options)

    def _listing(self) -> dict[str, tuple[str, int]]:
        """Archived segment -> (replica, size), from every replica's folder."""
        found: dict[str, tuple[str, int]] = {}
        try:
            if not self.fs.exists(self.root):
                return found
            for entry in self.fs.find(self.root, detail=True).values():
                path = str(entry["name"]).rstrip("/")
                replica, _, name = path[len(self.root):].strip("/").rpartition("/")
                if _SEGMENT.match(name) and "/" not in replica and replica:
                    found[name] = (replica, int(entry.get("size") or 0))
        except (OSError, ValueError) as exc:
            raise StoreError(f"{self.url}: cannot list the event archive: {exc}") from exc
        return found

    def _put(self, local: Path, replica: str) -> None:
        target = f"{self.root}/{replica}/{local.name}"
        self.fs.put_file(str(local), target + PARTIAL)
        self.fs.mv(target + PARTIAL, target)

    def ship(self, event_log: Path, replica: str, retention_days: float, now: float | None = None) -> Shipped:
        """Upload this replica's closed segments the archive lacks (or holds at another size, after an
        erasure rewrote them), and delete archived ones past retention. Skips the round while an erasure
        holds the log."""
        done = Shipped()
        if not event_log.is_dir():
            return done
        with erase_lock(event_log, wait=False) as locked:
            if not locked:
                return done
            local = segments(event_log, PREFIX) + segments(event_log, IMPRESSIONS)
            closed = [p for p in local if p not in newest_per_pid(local)]
            archived = self._listing()
            cutoff = (time.time() if now is None else now) - retention_days * 86400
            try:
                self.fs.makedirs(f"{self.root}/{replica}", exist_ok=True)
                for path in closed:
                    known = archived.get(path.name)
                    if _written(path.name) >= cutoff and (known is None or known[1] != path.stat().st_size):
                        self._put(path, replica)
                        done.uploaded += 1
                for name, (owner, _) in archived.items():
                    if _written(name) < cutoff:
                        self.fs.rm(f"{self.root}/{owner}/{name}")
                        done.pruned += 1
            except OSError as exc:
                raise StoreError(f"{self.url}: shipping segments failed: {exc}") from exc
        return done

    async def keep_shipping(self, event_log: Path, retention_days: float, interval: float) -> None:
        """A server's loop: ship every ``interval`` seconds; a store that is down is logged and tried again."""
        replica = replica_name()
        while True:
            await asyncio.sleep(interval)
            try:
                await asyncio.to_thread(self.ship, event_log, replica, retention_days)
            except (StoreError, OSError) as exc:
                log.warning("shipping event segments to %s failed: %s", self.url, exc)

    def fetch(self, into: Path, prefix: str = PREFIX) -> list[Path]:
        """Every archived segment of ``prefix`` (all replicas), downloaded into ``into``; oldest first."""
        paths = []
        try:
            for name, (replica, _) in sorted(self._listing().items()):
                if name.startswith(prefix):
                    self.fs.get_file(f"{self.root}/{replica}/{name}", str(into / name))
                    paths.append(into / name)
        except OSError as exc:
            raise StoreError(f"{self.url}: reading the event archive failed: {exc}") from exc
        return paths

    def erase(self, eraser: Callable[[Path], T], event_log: Path) -> tuple[T, int]:
        """Apply ``eraser`` (one of the log erasures, given a directory) to every archived segment: the
        archive is copied into a private scratch directory, erased there, and each segment it changed is
        uploaded in place of the archived one. (the eraser's result, segments replaced)"""
        listing = self._listing()
        with erase_lock(event_log) if event_log.is_dir() else contextlib.nullcontext(True), \
                tempfile.TemporaryDirectory(prefix="skylt-archive-") as scratch:
            folder = Path(scratch)
            before = {}
            try:
                for name, (replica, _) in listing.items():
                    self.fs.get_file(f"{self.root}/{replica}/{name}", str(folder / name))
                    before[name] = _digest(folder / name)
                result = eraser(folder)
                changed = 0
                for name, (replica, _) in listing.items():
                    if _digest(folder / name) != before[name]:
                        self._put(folder / name, replica)
                        changed += 1
            except OSError as exc:
                raise StoreError(f"{self.url}: erasing in the event archive failed: {exc}") from exc
        return result, changed


def _written(name: str) -> float:
    match = _SEGMENT.match(name)
    assert match is not None
    return datetime.strptime(match.group(2), "%Y%m%dT%H%M%S%fZ").replace(tzinfo=UTC).timestamp()


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else ""

