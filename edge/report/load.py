"""Reading the event log for a report: complete lines only, optionally from a start time."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

import msgspec

from edge.events.schemas import StoredEvent as Event
from edge.events.segments import IMPRESSIONS, PREFIX, segments


class Impression(msgspec.Struct, kw_only=True):
    """What the report reads of an impression line: its item list is skipped, not decoded."""

    ts: int
    request_id: str
    slot: str
    page: str | None = None
    bucket: str | None = None
    session_id: str | None = None
    user_id: str | None = None


T = TypeVar("T", Event, Impression)
_AGO = re.compile(r"^(\d+)([dh])$")


def parse_since(value: str | None, now: float) -> int | None:
    """``7d``, ``24h``, ISO-8601 (UTC if no zone) or Unix seconds; ValueError otherwise."""
    if value is None:
        return None
    text = value.strip()
    ago = _AGO.match(text)
    if ago:
        return int(now - int(ago.group(1)) * (86400 if ago.group(2) == "d" else 3600))
    if text.isdigit():
        return int(text)
    try:
        dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"cannot parse {value[:40]!r} as 7d, 24h, ISO-8601 or Unix seconds") from None
    return int((dt if dt.tzinfo else dt.replace(tzinfo=UTC)).timestamp())


def rows(paths: list[Path], kind: type[T], since: int | None) -> Iterator[T]:
    """Each segment's complete lines decoded in one call (a JSON array of them); a segment with a line that does
    not decode falls back to line by line, leaving that line out."""
    line = msgspec.json.Decoder(kind).decode
    whole = msgspec.json.Decoder(list[kind]).decode  # type: ignore[valid-type]
    for path in paths:
        data = path.read_bytes()
        data = data[:data.rfind(b"\n") + 1]  # a torn last line from a crash is left out
        rows = [x for x in data.split(b"\n") if x.strip()]  # blank: erased in place (edge/events/erase.py)
        try:
            found: list[T] = whole(b"[" + b",".join(rows) + b"]")
        except (msgspec.DecodeError, msgspec.ValidationError):
            found = []
            for raw in rows:
                try:
                    found.append(line(raw))
                except (msgspec.DecodeError, msgspec.ValidationError):
                    continue
        del data, rows
        if since is None:
            yield from found
        else:
            yield from (row for row in found if row.ts >= since)


def load(directory: str | Path, since: int | None = None) -> tuple[Iterator[Impression], Iterator[Event]]:
    """Lazy rows: ``compute`` reads impressions first, then events, so a log never has to fit in memory."""
    folder = Path(directory)
    return (rows(segments(folder, IMPRESSIONS), Impression, since),
            rows(segments(folder, PREFIX), Event, since))
