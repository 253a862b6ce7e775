"""Overrides resolved against one snapshot: what the request path reads.

An ``Overlay`` belongs to the snapshot whose dense ids it was resolved with and rides on
that snapshot object, so a request holding a lease on an older snapshot keeps a
consistent view while a newer one is being served. An empty overlay is stored as ``None``:
the request path then pays one dict lookup.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import msgspec
import numpy as np

from edge.overlay.schemas import Override
from edge.recommend import EMPTY_IDS, exclusion, hide
from edge.scoring.merchandise import Rules
from edge.store import Snapshot
from edge.urls import web_url

_SLOT = "_overlay"
_GENERATION = "_overlay_generation"
# Snapshot version -> generation folded into ETags and request ids (see ``key_tag``).
_tags: dict[str, bytes] = {}
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

    def exclude(self, base: np.ndarray) -> np.ndarray:
        """``base`` (sorted, unique) plus the blocked items."""
        return hide(base, self.blocked)


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
        blocked=exclusion(np.array(blocked, dtype=np.int32)) if blocked else EMPTY_IDS,
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


def attach(snap: Snapshot, overlay: Overlay) -> None:
    """Make ``overlay`` the one requests on ``snap`` see (call on the event loop once serving)."""
    snap.__dict__[_GENERATION] = overlay.generation
    snap.__dict__[_SLOT] = None if is_empty(overlay) else overlay
    if overlay.generation or snap.version in _tags:
        _tags[snap.version] = b"+%d" % overlay.generation
        while len(_tags) > 8:  # versions long gone; a worker serves one or two at a time
            del _tags[next(iter(_tags))]


def overlay_of(snap: Snapshot) -> Overlay | None:
    """The overlay requests on ``snap`` apply, ``None`` when there is nothing to apply."""
    return snap.__dict__.get(_SLOT)


def generation_of(snap: Snapshot) -> int | None:
    """The overlay generation resolved for ``snap``; ``None`` when none was yet."""
    return snap.__dict__.get(_GENERATION)


def key_tag(version: str) -> bytes:
    """Folded into ETags: a catalog update must change them, or a CDN revalidating would keep
    serving a body that shows an item now out of stock."""
    return _tags.get(version, b"")


def forget_tags() -> None:
    _tags.clear()
