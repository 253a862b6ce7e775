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
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import msgspec

from edge.events.segments import IMPRESSIONS, PREFIX, newest_per_pid, segments
from edge.fsync import fsync_dir

LOCK_FILE = ".erase.lock"


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
    scratch = path.with_name(f".{path.name}.erase")
    before = path.stat()
    fd = os.open(scratch, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o640)
    try:
        os.write(fd, b"".join(keep))
        # Retention goes by the last write: an erasure must not make a segment live longer.
        os.utime(fd, ns=(before.st_atime_ns, before.st_mtime_ns))
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(scratch, path)
    fsync_dir(path.parent)


def _blank(path: Path, spans: list[tuple[int, int]]) -> None:
    fd = os.open(path, os.O_WRONLY)  # not O_APPEND: pwrite must land at the offset
    try:
        before = os.fstat(fd)
        for start, end in spans:
            os.pwrite(fd, b" " * (end - start), start)
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
    with open(folder / LOCK_FILE, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
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
            if path in live:
                _blank(path, spans)
                done.segments_blanked += 1
            else:
                _rewrite(path, data, spans)
                done.segments_rewritten += 1
    return done


def _matches(who: _Who, user_hash: str, sessions: set[str]) -> bool:
    return who.user_id == user_hash or (who.session_id is not None and who.session_id in sessions)


__all__ = ["Erased", "erase_user"]
