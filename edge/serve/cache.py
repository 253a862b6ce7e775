"""A bounded per-worker cache of GET /v1/recommend answers, by raw query string.

An anonymous GET answer (no ``user``) is a pure function of the query string under one
snapshot version and one catalog-overlay generation: the A/B bucket comes from the query's
``session`` and the process settings, and the request id is the canonical key, so the same
URL gets the same bytes. That is what makes it cacheable, here as in a CDN. Every entry is
valid for the token (snapshot version, overlay generation) it was computed under; a lookup
under any other token empties the cache first, so a hot swap or a catalog update never
shows an old answer. Answers that read server-side state (a known customer's profile) are
never stored.

The cache is bounded by the bytes it holds (keys, bodies, headers and a fixed allowance per
entry for Python's own objects); the least recently used entries go first.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from edge.slots.served import Served

# Python's own objects per entry beyond the bytes counted: the dict node, the Entry, the
# bytes and list headers, the header tuples.
ENTRY_OVERHEAD = 512

Token = tuple[str, int | None]


@dataclass(frozen=True, slots=True)
class Entry:
    """One answer, with the raw ASGI headers of its 200 and its 304 as the route sends them."""

    page: str
    etag: str                                  # quoted, as in the ETag header
    body: bytes
    headers: list[tuple[bytes, bytes]]         # of the 200 answer
    not_modified: list[tuple[bytes, bytes]]    # of the 304 answer
    size: int                                  # what it counts against the bound, key included


def token(served: Served) -> Token:
    """What an answer depends on besides the query string: the snapshot and the overlay applied to it."""
    return served.version, served.generation


def etag_matches(header: str | None, etag: str) -> bool:
    """``If-None-Match`` against a strong ETag (``*``, a list, weak forms compared by value)."""
    if not header:
        return False
    return header.strip() == "*" or etag in (tag.strip().removeprefix("W/") for tag in header.split(","))


def entry(key: bytes, page: str, etag: str, body: bytes, headers: list[tuple[bytes, bytes]],
          not_modified: list[tuple[bytes, bytes]]) -> Entry:
    size = len(key) + len(body) + len(etag) + sum(len(k) + len(v) for k, v in (*headers, *not_modified))
    return Entry(page, etag, body, headers, not_modified, size + ENTRY_OVERHEAD)


class ResponseCache:
    """LRU over raw query strings, at most ``max_bytes``; 0 disables it (nothing is stored)."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max(0, max_bytes)
        self.bytes = 0
        self._entries: OrderedDict[bytes, Entry] = OrderedDict()
        self._token: Token | None = None

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: bytes, tok: Token) -> Entry | None:
        if tok != self._token:
            self._reset(tok)
            return None
        found = self._entries.get(key)
        if found is not None:
            self._entries.move_to_end(key)
        return found

    def put(self, key: bytes, tok: Token, value: Entry) -> bool:
        """Store ``value`` computed under ``tok``; False when disabled or larger than the whole cache."""
        if value.size > self.max_bytes:
            return False
        if tok != self._token:
            self._reset(tok)
        old = self._entries.pop(key, None)
        if old is not None:
            self.bytes -= old.size
        self._entries[key] = value
        self.bytes += value.size
        while self.bytes > self.max_bytes:
            _, gone = self._entries.popitem(last=False)
            self.bytes -= gone.size
        return True

    def clear(self) -> None:
        self._reset(None)

    def _reset(self, tok: Token | None) -> None:
        self._entries.clear()
        self.bytes = 0
        self._token = tok
