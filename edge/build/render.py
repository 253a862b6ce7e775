"""Pre-encode each item's render data as a JSON fragment at build time.

The API splices these bytes into responses, so no request re-encodes catalog text. A
fragment is the members of a JSON object without the braces, e.g.
``"id":"85123A","title":"White Hanging Heart","url":null,...``; the server appends
``score`` and ``reason`` and closes the object.
"""

from __future__ import annotations

import math

import msgspec
import numpy as np

from edge.build.frames import Catalog

_encode = msgspec.json.Encoder().encode


def _num(x: float) -> float | None:
    return None if math.isnan(x) else round(float(x), 2)


def render_fragments(catalog: Catalog) -> tuple[np.ndarray, np.ndarray]:
    """Return (offsets int64 n+1, blob uint8) holding one fragment per item."""
    parts: list[bytes] = []
    for i, item_id in enumerate(catalog.item_ids):
        fields: dict[str, object] = {
            "id": item_id,
            "title": catalog.title[i],
            "url": catalog.url[i],
            "image": catalog.image[i],
            "price": _num(catalog.price[i]),
            "currency": catalog.currency[i],
        }
        if not math.isnan(catalog.rating[i]):
            fields["rating"] = round(float(catalog.rating[i]), 2)
        if catalog.review_count[i] >= 0:
            fields["review_count"] = int(catalog.review_count[i])
        parts.append(_encode(fields)[1:-1])
    lengths = np.fromiter((len(p) for p in parts), dtype=np.int64, count=len(parts))
    offsets = np.zeros(len(parts) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    blob = np.frombuffer(b"".join(parts), dtype=np.uint8)
    return offsets, blob


def string_table(strings: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Pack strings as (offsets int64 n+1, utf-8 blob uint8) for zero-copy lookup by index."""
    encoded = [s.encode() for s in strings]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
    np.cumsum(np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded)), out=offsets[1:])
    return offsets, np.frombuffer(b"".join(encoded), dtype=np.uint8)
