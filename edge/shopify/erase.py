"""Finding and erasing lines of the event log directory by order id (and counting a customer's lines) for
the privacy webhooks. A customer's own lines and sessions are erased by edge/events/erase.py; what this
adds is the orders a ``customers/redact`` names, guest checkouts included.

A matching line is overwritten where it lies with spaces of the same length (its newline kept) and the
file is fsynced: writers only ever append past the end, so this never races them, and readers skip blank
lines (docs/data-format.md). The lock of edge/events/erase.py keeps this from landing in a segment that an
erasure in another worker is replacing. Snapshots already built keep their aggregates until the next build.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec

from edge.events.erase import erase_lock
from edge.fsync import pwrite_all

_decode = msgspec.json.Decoder(dict[str, Any]).decode
# Every kind of segment the log directory holds (events, and slot impressions with their session and user ids).
_SEGMENT = re.compile(r"^[a-z]+-\d{8}T\d{12}Z-\d+-\d+\.jsonl$")


def _segments(directory: Path) -> list[Path]:
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.iterdir() if _SEGMENT.match(p.name) and p.is_file())


@dataclass(frozen=True)
class Person:
    """Whose events: any line with one of these user ids or order ids."""

    user_ids: Collection[str]
    order_ids: Collection[str]

    session_ids: Collection[str] = ()

    def matches(self, line: dict[str, Any]) -> bool:
        return (str(line.get("user_id")) in self.user_ids or str(line.get("order_id")) in self.order_ids
                or str(line.get("session_id")) in self.session_ids)

    def needles(self) -> list[bytes]:
        """The ids as they appear in a line; lines without any are skipped undecoded (a webhook has seconds
        to answer, and the log can be gigabytes)."""
        return [msgspec.json.encode(i) for i in {*self.user_ids, *self.order_ids, *self.session_ids}]


def _lines_with(data: bytes, needles: list[bytes]) -> set[tuple[int, int]]:
    """(start, end) of every complete line holding a needle; the last line may be half written: skipped."""
    found = set()
    for needle in needles:
        pos = data.find(needle)
        while pos >= 0:
            end = data.find(b"\n", pos)
            if end < 0:
                break
            found.add((data.rfind(b"\n", 0, pos) + 1, end))
            pos = data.find(needle, end)
    return found


def _scan(directory: Path, person: Person, erase: bool) -> int:
    needles = person.needles()
    found = 0
    for path in _segments(directory):
        try:
            data = path.read_bytes()
        except FileNotFoundError:  # deleted by retention meanwhile
            continue
        spans = []
        for start, end in sorted(_lines_with(data, needles)):
            try:
                hit = person.matches(_decode(data[start:end]))
            except (msgspec.DecodeError, msgspec.ValidationError):
                hit = False  # a torn line from a crash is no one's event
            if hit:
                spans.append((start, end - start))
        found += len(spans)
        if erase and spans:
            fd = os.open(path, os.O_WRONLY)  # not O_APPEND: pwrite must land at the offset
            try:
                for offset, length in spans:
                    pwrite_all(fd, b" " * length, offset)  # every byte, or the line stays half readable
                os.fsync(fd)
            finally:
                os.close(fd)
    return found


def count_events(directory: str | Path, person: Person) -> int:
    """Lines of ``person``, counting as edge/events/erase.py erases: also the sessions their own lines name."""
    folder = Path(directory)
    sessions: set[str] = set()
    for path in _segments(folder):
        data = path.read_bytes() if path.exists() else b""
        for start, end in _lines_with(data, [msgspec.json.encode(u) for u in person.user_ids]):
            with contextlib.suppress(msgspec.DecodeError, msgspec.ValidationError):
                line = _decode(data[start:end])
                if str(line.get("user_id")) in person.user_ids and line.get("session_id"):
                    sessions.add(str(line["session_id"]))
    return _scan(folder, Person(person.user_ids, person.order_ids, sessions), erase=False)


def erase_events(directory: str | Path, person: Person) -> int:
    """Blank every line of ``person`` in every segment; the number of events erased."""
    folder = Path(directory)
    if not (person.user_ids or person.order_ids) or not folder.is_dir():
        return 0
    with erase_lock(folder):  # edge/events/erase.py may be swapping a segment (any worker)
        return _scan(folder, person, erase=True)
