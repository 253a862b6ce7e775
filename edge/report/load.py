"""Reading the event log for a report: complete lines only, optionally from a start time."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

import msgspec

from edge.events.schemas import StoredEvent as Event
from edge.events.segments import IMPRESSIONS, PREFIX, lines, segments


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


def _rows(directory: Path, prefix: str, kind: type[T], since: int | None) -> Iterator[T]:
    decode = msgspec.json.Decoder(kind).decode
    for line in lines(segments(directory, prefix)):  # a torn last line from a crash is left out
        if not line.strip():
            continue  # erased in place (edge/events/erase.py)
        try:
            row = decode(line)
        except (msgspec.DecodeError, msgspec.ValidationError):
            continue
        if since is None or row.ts >= since:
            yield row


def load(directory: str | Path, since: int | None = None) -> tuple[Iterator[Impression], Iterator[Event]]:
    """Lazy rows: ``compute`` reads impressions first, then events, so a log never has to fit in memory."""
    folder = Path(directory)
    return _rows(folder, IMPRESSIONS, Impression, since), _rows(folder, PREFIX, Event, since)
