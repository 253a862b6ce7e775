"""Segment files of the event log: their names, and a crash-safe view of them for the builder.

A segment is ``events-<UTC time>-<pid>-<seq>.jsonl``: names sort by creation time, and the
pid keeps every worker process on files of its own. The writer appends whole lines, one
``write`` per group commit, so a crash can at most leave a partial last line; a segment can
also be read while its writer is appending. ``stable_segments`` therefore hands the builder
only complete lines.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

PREFIX = "events-"
# Slot impressions (edge/report/) live in segments of their own, which the builder never reads.
IMPRESSIONS = "impressions-"
SUFFIX = ".jsonl"
_NAME = re.compile(r"^(events|impressions)-(\d{8}T\d{12}Z)-(\d+)-(\d+)\.jsonl$")


def segment_name(when: float, pid: int, seq: int, prefix: str = PREFIX) -> str:
    stamp = datetime.fromtimestamp(when, UTC).strftime("%Y%m%dT%H%M%S%fZ")
    return f"{prefix}{stamp}-{pid}-{seq:06d}{SUFFIX}"


def segments(directory: Path, prefix: str = PREFIX) -> list[Path]:
    """Every segment with ``prefix`` under ``directory``, oldest first."""
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.iterdir()
                  if p.name.startswith(prefix) and _NAME.match(p.name) and p.is_file())


def newest_per_pid(paths: list[Path]) -> set[Path]:
    """The segments a running process may still append to (its newest of each kind)."""
    newest: dict[str, Path] = {}
    for p in paths:
        match = _NAME.match(p.name)
        assert match is not None
        newest[match.group(1) + match.group(3)] = p  # paths are sorted, so the last one wins
    return set(newest.values())


@dataclass
class StableView:
    paths: list[Path]
    torn: int          # segments whose incomplete last line was left out
    empty: int         # segments without a single complete line (skipped)


def stable_segments(directory: Path, scratch: Path) -> StableView:
    """Paths the builder can read: closed, complete segments as they are; a segment that may
    still grow (the newest of its process) or ends in a torn line is copied to ``scratch`` up
    to its last newline, so the copy cannot change or end mid-line while it is read."""
    found = segments(directory)
    live = newest_per_pid(found)
    view = StableView([], 0, 0)
    for path in found:
        size = path.stat().st_size
        if size == 0:
            view.empty += 1
            continue
        with open(path, "rb") as f:
            f.seek(size - 1)
            whole = f.read(1) == b"\n"
        if whole and path not in live:
            view.paths.append(path)
            continue
        with open(path, "rb") as f:
            data = f.read(size)
        cut = data.rfind(b"\n") + 1
        if cut < len(data):
            view.torn += 1
        if not data[:cut].strip():
            view.empty += 1
            continue
        copy = scratch / path.name
        copy.write_bytes(data[:cut])
        view.paths.append(copy)
    return view


def lines(paths: list[Path]) -> Iterator[bytes]:
    """Every complete line of the given files (tests and tools; the builder reads files itself)."""
    for path in paths:
        with open(path, "rb") as f:
            for line in f:
                if line.endswith(b"\n"):
                    yield line
