"""Erasing one customer's events from the log (DELETE /v1/users/{id}).

Whose events: every line with the customer's hashed ``user_id``, and every line of a session
that such a line names (what the shopper did in that browser before logging in). Impression
segments are treated the same way.

Closed segments are rewritten without those lines: a new file, fsynced, renamed over the old
one, the directory fsynced, so a crash leaves either the old or the new file, never half of
one. A segment that a running process may still append to (the newest of its process) cannot
be swapped under that process's open descriptor (its next appends would land in the unlinked
file), so its matching lines are overwritten in place with spaces of the same length (newline
kept) and the file is fsynced; appends only ever go past the end, so this never races them, and
readers skip blank lines. An exclusive lock on a file in the log directory keeps two erasures
(in any worker) from undoing each other's rewrites.

Every byte is written (a short write is continued, never taken for done). A rewrite that the
disk has no room for blanks the lines in place instead. A scratch file that an interrupted
rewrite left behind is deleted by the next erasure or by the log's retention, under the lock.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import msgspec

from edge.events.segments import IMPRESSIONS, PREFIX, newest_per_pid, segments
from edge.fsync import fsync_dir, pwrite_all, write_all
from edge.private import FILE_MODE

LOCK_FILE = ".erase.lock"
SCRATCH = ".erase"  # suffix of the scratch file a rewrite makes: ".<segment>.erase"


class _Who(msgspec.Struct):
    user_id: str | None = None
    session_id: str | None = None


_who = msgspec.json.Decoder(_Who).decode


@dataclass
class Erased:
    events: int = 0
    impressions: int = 0
    segments_rewritten: int = 0
    segments_blanked: int = 0


def _lines(data: bytes) -> Iterator[tuple[int, int, _Who | None]]:
    """(start, end, who) of every complete line; a torn line from a crash is no one's."""
    start = 0
    while (end := data.find(b"\n", start)) >= 0:
        line = data[start:end]
        who = None
        if line.strip():
            with contextlib.suppress(msgspec.DecodeError, msgspec.ValidationError):
                who = _who(line)
        yield start, end, who
        start = end + 1


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:  # retention deleted it meanwhile
        return None


def _rewrite(path: Path, data: bytes, spans: list[tuple[int, int]]) -> None:
    keep, at = [], 0
    for start, end in spans:
        keep.append(data[at:start])
        at = end + 1  # the newline goes too
    keep.append(data[at:])
    scratch = path.with_name(f".{path.name}{SCRATCH}")
    before = path.stat()
    try:
        fd = os.open(scratch, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
        try:
            write_all(fd, b"".join(keep))
            # Retention goes by the last write: an erasure must not make a segment live longer.
            os.utime(fd, ns=(before.st_atime_ns, before.st_mtime_ns))
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(scratch, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            scratch.unlink()
        raise
    fsync_dir(path.parent)


def _blank(path: Path, spans: list[tuple[int, int]]) -> None:
    fd = os.open(path, os.O_WRONLY)  # not O_APPEND: pwrite must land at the offset
    try:
        before = os.fstat(fd)
        for start, end in spans:
            pwrite_all(fd, b" " * (end - start), start)
        if os.fstat(fd).st_size == before.st_size:  # nothing appended meanwhile: keep its retention clock
            os.utime(fd, ns=(before.st_atime_ns, before.st_mtime_ns))
        os.fsync(fd)
    finally:
        os.close(fd)


def erase_user(directory: str | os.PathLike[str], user_hash: str) -> Erased:
    """Remove every stored line of ``user_hash`` (and of its sessions) from every segment."""
    folder = Path(directory)
    done = Erased()
    if not folder.is_dir():
        return done
    with erase_lock(folder):
        _remove_scratch(folder)
        paths = segments(folder, PREFIX) + segments(folder, IMPRESSIONS)
        sessions: set[str] = set()
        for path in paths:  # first pass: the sessions the customer's own lines name
            data = _read(path)
            for _, _, who in _lines(data or b""):
                if who is not None and who.user_id == user_hash and who.session_id:
                    sessions.add(who.session_id)
        live = newest_per_pid(paths)
        for path in paths:
            data = _read(path)
            if data is None:
                continue
            spans = [(s, e) for s, e, who in _lines(data) if who is not None and _matches(who, user_hash, sessions)]
            if not spans:
                continue
            if path.name.startswith(IMPRESSIONS):
                done.impressions += len(spans)
            else:
                done.events += len(spans)
            if path not in live:
                try:
                    _rewrite(path, data, spans)
                    done.segments_rewritten += 1
                    continue
                except OSError as exc:
                    if exc.errno not in (errno.ENOSPC, errno.EDQUOT):
                        raise
            _blank(path, spans)  # needs no room on the disk
            done.segments_blanked += 1
    return done


@contextlib.contextmanager
def erase_lock(folder: Path, wait: bool = True) -> Iterator[bool]:
    """Hold the log directory's erasure lock (any worker); without ``wait``, yields False at once
    when another process holds it."""
    fd = os.open(folder / LOCK_FILE, os.O_WRONLY | os.O_CREAT | os.O_APPEND, FILE_MODE)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        yield True  # released when the descriptor closes
    finally:
        os.close(fd)


def _remove_scratch(folder: Path) -> int:
    """Delete the scratch files of interrupted rewrites (the caller holds the lock)."""
    removed = 0
    for path in folder.iterdir():
        if path.name.startswith(".") and path.name.endswith(SCRATCH) and path.name != LOCK_FILE:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
                removed += 1
    return removed


def clean_scratch(folder: Path) -> int:
    """Retention's share: scratch files left by an interrupted erasure, unless one is running now."""
    if not folder.is_dir():
        return 0
    with erase_lock(folder, wait=False) as held:
        return _remove_scratch(folder) if held else 0


def _matches(who: _Who, user_hash: str, sessions: set[str]) -> bool:
    return who.user_id == user_hash or (who.session_id is not None and who.session_id in sessions)


__all__ = ["Erased", "clean_scratch", "erase_lock", "erase_user"]
