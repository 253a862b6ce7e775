"""The sync's resumable output: an append-only JSON Lines file per stream and one state file.

After every page the rows are flushed and fsynced, then the state (cursor, file length, high-water
``updatedAt``/``createdAt``) is replaced atomically. A rerun cuts each file back to the length its
state names, so rows written after the last checkpoint are never doubled, and asks for the next page.
A stream that finished continues incrementally from its high-water mark; rows at exactly that time
that were already written are skipped.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import msgspec

from edge.errors import SkyltError
from edge.fsync import fsync_dir

STATE_FILE = "shopify-sync.json"
_line = msgspec.json.Encoder()


@dataclass
class StreamState:
    cursor: str | None = None          # the last page's endCursor
    done: bool = False                 # the last run reached the last page
    size: int = 0                      # bytes of the output file at the last checkpoint
    since: str | None = None           # this run's filter: only nodes at or after this time
    high_water: str | None = None      # latest time seen
    at_high_water: list[str] = field(default_factory=list)  # ids already written at exactly high_water
    bulk_id: str | None = None         # a bulk operation started and not yet written


@dataclass
class SyncState:
    shop: str
    streams: dict[str, StreamState] = field(default_factory=dict)

    def stream(self, name: str) -> StreamState:
        return self.streams.setdefault(name, StreamState())


def load(out_dir: Path, shop: str) -> SyncState:
    path = out_dir / STATE_FILE
    if not path.exists():
        return SyncState(shop)
    try:
        raw = json.loads(path.read_text())
        state = SyncState(raw["shop"], {k: StreamState(**v) for k, v in raw.get("streams", {}).items()})
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise SkyltError(f"{path}: cannot read the sync state ({exc}); remove it or run with --full") from exc
    if state.shop != shop:
        raise SkyltError(f"{path}: holds a sync of {state.shop}, not {shop}; use another --out or --full")
    return state


def save(out_dir: Path, state: SyncState) -> None:
    path = out_dir / STATE_FILE
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w") as f:
        json.dump({"shop": state.shop, "streams": {k: asdict(v) for k, v in state.streams.items()}}, f, indent=1)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    fsync_dir(out_dir)


class Output:
    """One stream's JSON Lines file, cut back to its checkpoint on open."""

    def __init__(self, path: Path, size: int) -> None:
        self.path = path
        with open(path, "ab"):
            pass
        if path.stat().st_size < size:
            raise SkyltError(f"{path}: shorter than the sync state says ({size} bytes); it was changed by "
                             "something else: run with --full")
        with open(path, "r+b") as f:
            f.truncate(size)
        self._f = open(path, "ab")  # noqa: SIM115 - closed in close()

    def write(self, rows: Iterable[dict[str, Any]]) -> int:
        """Append and make durable; the new file length."""
        self._f.write(b"".join(_line.encode(r) + b"\n" for r in rows))
        self._f.flush()
        os.fsync(self._f.fileno())
        return self._f.tell()

    def close(self) -> None:
        self._f.close()


def after_high_water(st: StreamState, node_id: str, when: str | None) -> bool:
    """False for a node an earlier run already wrote (same id at exactly the high-water time)."""
    return not (when is not None and when == st.high_water and node_id in st.at_high_water)


def advance(st: StreamState, seen: Iterable[tuple[str, str | None]]) -> None:
    """Move the high-water mark over the (id, time) pairs just written."""
    for node_id, when in seen:
        if when is None:
            continue
        if st.high_water is None or when > st.high_water:
            st.high_water, st.at_high_water = when, [node_id]
        elif when == st.high_water and node_id not in st.at_high_water:
            st.at_high_water.append(node_id)
