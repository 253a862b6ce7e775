"""The append-only event log with group commit.

Requests hand their encoded lines to ``append`` and wait. One writer task drains the queue,
writes every pending batch with a single ``write`` and one ``fsync`` in a thread (the event
loop keeps serving meanwhile), then wakes every waiting request: an acknowledged event is on
disk, and N concurrent requests cost far fewer than N fsyncs.

Each process starts a new segment (its pid in the name) and rotates when a write would take
the current one past ``segment_bytes``; closed segments are never written again. Segments
last modified more than ``retention_days`` ago are deleted at start-up and at each rotation,
and so is any scratch file an interrupted erasure left (edge/events/erase.py). The directory is
0700 and segments 0600: they hold customer data (edge/private.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import os
import time
from collections.abc import Callable
from pathlib import Path

from edge.errors import StorageFullError
from edge.events.erase import clean_scratch
from edge.events.segments import PREFIX, segment_name, segments
from edge.fsync import fsync_dir, write_all
from edge.private import FILE_MODE, private_dir

log = logging.getLogger("skylt.events")

_Pending = tuple[bytes, asyncio.Future[None]]


class EventLog:
    def __init__(self, directory: str | Path, *, segment_bytes: int = 64 << 20, retention_days: float = 400.0,
                 clock: Callable[[], float] = time.time, prefix: str = PREFIX) -> None:
        self.directory = Path(directory)
        self.prefix = prefix
        self.segment_bytes = segment_bytes
        self.retention_days = retention_days
        self.clock = clock
        self.fsyncs = 0        # group commits done; tests read it
        self.current: Path | None = None
        self._fd: int | None = None
        self._size = 0
        self._seq = 0
        self._queue: asyncio.Queue[_Pending | None] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None

    # -- lifecycle (the app's lifespan) ------------------------------------------------------

    async def start(self) -> None:
        await asyncio.to_thread(private_dir, self.directory)
        await asyncio.to_thread(self.prune)
        self._task = asyncio.create_task(self._run(), name="skylt-event-log")

    async def stop(self) -> None:
        """Finish every queued batch, then close the segment."""
        if self._task is not None:
            await self._queue.put(None)
            await self._task
            self._task = None
        self._close()

    # -- the request side --------------------------------------------------------------------

    async def append(self, data: bytes) -> None:
        """Returns once ``data`` (whole JSON lines) is written and fsynced; raises if it is not
        (``StorageFullError`` when the disk is full)."""
        if self._task is None or self._task.done():
            raise RuntimeError("the event log is not running")
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        await self._queue.put((data, done))
        try:
            await done
        except OSError as exc:
            if exc.errno in (errno.ENOSPC, errno.EDQUOT):
                raise StorageFullError("the event log's disk is full; retry later") from exc
            raise

    # -- the writer task ---------------------------------------------------------------------

    async def _run(self) -> None:
        stopping = False
        while not stopping:
            first = await self._queue.get()
            group: list[_Pending] = []
            if first is None:
                stopping = True
            else:
                group.append(first)
            while not self._queue.empty():
                item = self._queue.get_nowait()
                if item is None:
                    stopping = True
                else:
                    group.append(item)
            if not group:
                continue
            try:
                await asyncio.to_thread(self._commit, b"".join(data for data, _ in group))
            except Exception as exc:  # the disk failed: every waiting request learns it, none is acked
                log.exception("event log write failed")
                for _, done in group:
                    if not done.done():
                        done.set_exception(exc)
                continue
            for _, done in group:
                if not done.done():
                    done.set_result(None)

    def _commit(self, data: bytes) -> None:
        try:
            if self._fd is None or (self._size and self._size + len(data) > self.segment_bytes):
                self._rotate()
            assert self._fd is not None
            write_all(self._fd, data)  # one write() in practice
            os.fsync(self._fd)
        except BaseException:
            # The segment may now end in part of a line, and after a failed fsync the kernel may
            # have dropped the dirty pages: close it, so the next group starts a fresh segment.
            self._close()
            raise
        self._size += len(data)
        self.fsyncs += 1

    def _rotate(self) -> None:
        self._close()
        self._seq += 1
        path = self.directory / segment_name(self.clock(), os.getpid(), self._seq, self.prefix)
        self._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND, FILE_MODE)
        self._size = 0
        self.current = path
        fsync_dir(self.directory)  # the new file's name must survive a crash too
        self.prune()

    def _close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def prune(self) -> list[Path]:
        """Delete segments last written more than ``retention_days`` ago (never the open one), and
        the scratch files of interrupted erasures."""
        cutoff = self.clock() - self.retention_days * 86400
        removed = []
        for path in segments(self.directory, self.prefix):
            if path == self.current:
                continue
            with contextlib.suppress(FileNotFoundError):  # another worker may prune the same file
                if path.stat().st_mtime < cutoff:
                    path.unlink()
                    removed.append(path)
        clean_scratch(self.directory)
        if removed:
            log.info("event log retention: deleted %d segment(s) older than %s days", len(removed),
                     self.retention_days)
        return removed

