"""Overrides resolved against one snapshot: what the request path reads.

An ``Overlay`` belongs to the snapshot whose dense ids it was resolved with; it is served
with that snapshot as one ``Served`` (edge/slots/served.py), so a request holding a lease
on an older snapshot keeps a consistent view while a newer one is being served.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import msgspec
import numpy as np

from edge.overlay.schemas import Override
from edge.scoring import sorted_unique
from edge.scoring.merchandise import Rules
from edge.store import Snapshot
from edge.urls import web_url

EMPTY_IDS = np.zeros(0, dtype=np.int32)
_decode_fragment = msgspec.json.Decoder(dict[str, object]).decode
_encode = msgspec.json.Encoder().encode


@dataclass(frozen=True)
class Overlay:
    generation: int
    overrides: int                    # stored overrides, known to this snapshot or not
    blocked: np.ndarray               # sorted unique int32: out of stock or deleted
    priced_ids: np.ndarray            # int32 items whose price was overridden
    priced_values: np.ndarray         # float64, their new prices (the kernels read them via edge/overlay/prices.py)
    fragments: dict[int, bytes] = field(default_factory=dict)  # dense id -> render fragment
    # The merchandising rules compiled for this snapshot (edge/rules/compile.py): page -> bundle, the
    # pages without rules left out; and the generation that wrote them, and how many there are.
    rules: dict[str, Rules] = field(default_factory=dict)
    rules_generation: int = 0
    rule_count: int = 0


def resolve(snap: Snapshot, overrides: dict[str, Override], generation: int) -> Overlay:
    """Turn overrides by external id into dense-id form; ids the snapshot lacks are skipped."""
    blocked: list[int] = []
    priced: dict[int, float] = {}
    fragments: dict[int, bytes] = {}
    for item_id, o in overrides.items():
        dense = snap.index_of(item_id)
        if dense < 0:
            continue  # kept in the store: the next build may know it
        if o.deleted or o.in_stock is False:
            blocked.append(dense)
            continue
        if o.price is not None:
            priced[dense] = o.price
        if any(v is not None for v in (o.price, o.title, o.url, o.image, o.rating)):
            fragments[dense] = _fragment(snap.render(dense), o)
    return Overlay(
        generation=generation, overrides=len(overrides),
        blocked=sorted_unique(np.array(blocked, dtype=np.int32)) if blocked else EMPTY_IDS,
        priced_ids=np.fromiter(priced.keys(), dtype=np.int32, count=len(priced)),
        priced_values=np.fromiter(priced.values(), dtype=np.float64, count=len(priced)),
        fragments=fragments,
    )


def _fragment(original: bytes, o: Override) -> bytes:
    """The snapshot's fragment with the overridden members replaced, in the same format."""
    members = _decode_fragment(b"{" + original + b"}")
    for name in ("title", "url", "image"):
        value = getattr(o, name)
        # Links stored before PUT checked them stay stored, never served.
        if value is not None and (name == "title" or web_url(value)):
            members[name] = value
    for name in ("price", "rating"):
        value = getattr(o, name)
        if value is not None:
            members[name] = round(float(value), 2)  # as edge/build/render.py rounds
    return _encode(members)[1:-1]


def is_empty(overlay: Overlay) -> bool:
    return not (overlay.blocked.size or overlay.priced_ids.size or overlay.fragments or overlay.rules)
