"""The two passes over the log, row by row: events, and impressions.

Events are few per kind that matters (clicks, carts, purchases) and are kept as they are.
Impressions are many: the pass keeps counts per day, page, slot and bucket, each shopper's
first exposure, and per impression only a 64-bit hash of its (request_id, slot) with a small
code for its page and bucket (about 10 bytes an impression), so the renders that events name
are found afterwards without holding every render's ids in memory. A hash collision between
two renders is possible in principle (about one in 10^9 for a month of a busy shop) and would
credit one event to the wrong slot. Directories are read by columns instead (edge/report/columns.py).
"""

from __future__ import annotations

from array import array
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from edge.events.schemas import StoredEvent as Event
from edge.report.orders import Orders

DAY = 86400
Key = tuple[str, str]  # (request_id, slot)


class ImpressionRow(Protocol):
    ts: int
    request_id: str
    slot: str
    page: str | None
    bucket: str | None
    session_id: str | None
    user_id: str | None


def unit_keys(user: str | None, session: str | None) -> list[str]:
    return ([f"u:{user}"] if user else []) + ([f"s:{session}"] if session else [])


@dataclass
class EventsPart:
    n_events: int = 0
    total_clicks: int = 0
    clicks: Counter[Key] = field(default_factory=Counter)
    carts: list[tuple[int, str | None, str | None, Key | None]] = field(default_factory=list)
    orders: Orders = field(default_factory=Orders)
    days: dict[int, list[int]] = field(default_factory=dict)  # day -> [clicks, carts]

    def named(self) -> set[Key]:
        """The renders that a click, an add to cart or a bought line names."""
        return set(self.clicks) | {c[3] for c in self.carts if c[3]} | {ln.key for ln in self.orders.lines() if ln.key}


def scan_events(events: Iterable[Event]) -> EventsPart:
    part = EventsPart()
    days: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for ev in events:
        part.n_events += 1
        kind = ev.type
        if kind == "click":
            part.total_clicks += 1
            days[ev.ts // DAY][0] += 1
            if ev.request_id and ev.slot:
                part.clicks[(ev.request_id, ev.slot)] += 1
        elif kind == "cart":
            days[ev.ts // DAY][1] += 1
            key = (ev.request_id, ev.slot) if ev.request_id and ev.slot else None
            part.carts.append((ev.ts, ev.user_id, ev.session_id, key))
        elif kind == "purchase" and ev.order_id:
            part.orders.add(ev)
    part.days = dict(days)
    return part


@dataclass
class ImpressionsPart:
    cells: Counter[tuple[int, str | None, str, str | None]]  # (day, page, slot, bucket) -> impressions
    unit_of: dict[str, str]                                  # user/session key -> shopper
    exposed: dict[str, tuple[str, int]]                      # shopper -> (bucket, first impression ts)
    hashes: array[int] | np.ndarray                          # hash((request_id, slot)) per impression
    codes: array[int] | np.ndarray                           # index into `kinds` per impression
    kinds: list[tuple[str, str]]                             # (page, bucket)
    found: tuple[Counter[Key], dict[Key, tuple[str, str]]] | None = None  # renders() worked out already

    def renders(self, named: set[Key], hashed: Callable[[list[Key]], np.ndarray] | None = None,
                ) -> tuple[Counter[Key], dict[Key, tuple[str, str]]]:
        """For each named render: how many impressions it had, and its (page, bucket). ``hashed``: how the
        keys are hashed where the impressions were (another process has another hash seed)."""
        if self.found is not None:
            return self.found
        counts: Counter[Key] = Counter()
        where: dict[Key, tuple[str, str]] = {}
        if not named or not len(self.hashes):
            return counts, where
        hashes = np.asarray(self.hashes, dtype=np.int64)
        order = np.argsort(hashes, kind="stable")
        ordered = hashes[order]
        keys = list(named)
        wanted = (hashed or hash_keys)(keys)
        left, right = np.searchsorted(ordered, wanted, "left"), np.searchsorted(ordered, wanted, "right")
        for key, lo, hi in zip(keys, left.tolist(), right.tolist(), strict=True):
            if hi > lo:
                counts[key] = hi - lo
                where[key] = self.kinds[self.codes[int(order[lo])]]
        return counts, where


def scan_impressions(impressions: Iterable[ImpressionRow]) -> ImpressionsPart:
    cells: Counter[tuple[int, str | None, str, str | None]] = Counter()
    unit_of: dict[str, str] = {}
    exposed: dict[str, tuple[str, int]] = {}
    hashes, codes = array("q"), array("H")
    kind_of: dict[tuple[str | None, str | None], int] = {}
    for imp in impressions:  # the hot loop: a handful of dict operations per row
        ts, slot, page, bucket = imp.ts, imp.slot, imp.page, imp.bucket
        cells[(ts // DAY, page, slot, bucket)] += 1
        hashes.append(hash((imp.request_id, slot)))
        code = kind_of.get((page, bucket))
        if code is None:
            code = kind_of[(page, bucket)] = min(len(kind_of), 65535)
        codes.append(code)
        user, session = imp.user_id, imp.session_id
        if user is None:
            if not session:
                continue
            unit = "s:" + session
            shopper = unit_of.get(unit)
            if shopper is None:
                unit_of[unit] = shopper = unit
        else:
            keys = unit_keys(user, session)
            shopper = next((unit_of[k] for k in keys if k in unit_of), keys[0])
            for k in keys:
                unit_of.setdefault(k, shopper)
        first = exposed.get(shopper)
        if first is None:
            exposed[shopper] = (bucket or "personalized", ts)
        elif ts < first[1]:
            exposed[shopper] = (first[0], ts)
    kinds = [(p or "unknown", b or "personalized") for (p, b) in kind_of]
    return ImpressionsPart(cells, unit_of, exposed, hashes, codes, kinds)


def hash_keys(keys: list[Key]) -> np.ndarray:
    return np.fromiter((hash(k) for k in keys), dtype=np.int64, count=len(keys))
