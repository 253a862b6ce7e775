"""What a worker serves: a snapshot, the catalog overlay resolved against it, and the page
kernel's bundles built from both, swapped as one unit (``edge.serve.swap.SnapshotHolder``).

A ``Served`` is immutable. An overlay change (stock, prices, fragments) makes a new one for
the same snapshot (``with_overlay``); a new snapshot makes a new one too. A request takes
one ``Served`` and reads only it, so it sees one consistent catalog however the worker
swaps meanwhile.
"""

from __future__ import annotations

import hashlib
from functools import cached_property
from typing import Any

import numpy as np

from edge.config import Settings
from edge.overlay.resolve import Overlay
from edge.scoring.bundles import Bundles, Catalog, Program, Tunables, bundles, checked
from edge.scoring.items import pack as pack_items
from edge.scoring.splice import PIECES
from edge.slots.programs import STEPS, co_occurrence_specs
from edge.slots.texts import TEXTS
from edge.slots.tunables import resolve
from edge.store import Snapshot

KEY_BYTES = 12  # of request keys (ETags, request ids): 96 bits
RANKINGS = ("bestsellers", "bestsellers_category", "bestsellers_region", "bestsellers_segment", "trending")
EMPTY_IDS = np.zeros(0, dtype=np.int32)
_NO_FRAGMENTS = (EMPTY_IDS, np.zeros(1, np.int64), np.zeros(0, np.uint8))
# Every text is registered when edge.slots.programs is imported: the tables are final.
PROGRAM = Program(STEPS, *TEXTS.tables(), PIECES)


class Served:
    """Built by ``serve`` or ``with_overlay``; the kernel's bundles are built on first use (the
    warm-up's), so holding a snapshot costs nothing until it plans."""

    def __init__(self, snapshot: Snapshot, overlay: Overlay | None, generation: int | None, prices: np.ndarray,
                 tunables: Tunables) -> None:
        self.snapshot = snapshot
        self.overlay = overlay        # None: none resolved (no overlay store, or not yet)
        self.generation = generation  # the overlay generation resolved; None: none yet
        self.prices = prices          # what every price rule reads: the shared price file's map, else the snapshot's
        self.tunables = tunables

    @cached_property
    def catalog(self) -> Catalog:
        return catalog(self.snapshot, self.prices, self.overlay)

    @cached_property
    def bundles(self) -> Bundles:
        """The catalog, ``PROGRAM`` and the tunables as the kernels take them."""
        return bundles(self.catalog, PROGRAM, self.tunables)

    @property
    def version(self) -> str:
        return self.snapshot.version

    @property
    def tag(self) -> bytes:
        """Folded into ETags and request ids: a catalog update must change them, or a CDN
        revalidating would keep serving a body that shows an item now out of stock."""
        return b"+%d" % self.generation if self.generation else b""

    @cached_property
    def key_hash(self) -> Any:
        """The hash every request key under this unit starts from (``edge.serve.codec.request_key``),
        its prefix (version, overlay tag) already absorbed: each request copies it."""
        return hashlib.blake2b(self.snapshot.version.encode() + self.tag + b"\0", digest_size=KEY_BYTES)

    @property
    def fragments(self) -> dict[int, bytes]:
        return self.overlay.fragments if self.overlay is not None else {}

    def with_overlay(self, overlay: Overlay | None, generation: int | None,
                     prices: np.ndarray | None = None) -> Served:
        """The same snapshot under another overlay (``prices``: the shared price file's map;
        None: the snapshot's own prices)."""
        return _served(self.snapshot, self.tunables, overlay, generation, prices)


def serve(snap: Snapshot, settings: Settings | None = None, overlay: Overlay | None = None,
          generation: int | None = None, prices: np.ndarray | None = None) -> Served:
    """``snap`` as served with ``settings`` (tunables: defaults, the manifest's, explicit settings)."""
    tunables = resolve(settings or Settings(), snap.manifest.tune, snap.manifest.tables)
    return _served(snap, tunables, overlay, generation, prices)


def _served(snap: Snapshot, tunables: Tunables, overlay: Overlay | None, generation: int | None,
            prices: np.ndarray | None) -> Served:
    return Served(snap, overlay, generation, snap.arrays["price"] if prices is None else prices, tunables)


def _aligned(a: np.ndarray) -> np.ndarray:
    """Numba types an unaligned array differently; small LMDB values may be unaligned."""
    if a.flags.aligned and a.flags.c_contiguous:
        return a
    copy = np.ascontiguousarray(a).copy()
    copy.flags.writeable = False
    return copy


def _fragments(overlay: Overlay | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The overlay's changed fragments as (sorted ids, offsets, blob)."""
    if overlay is None or not overlay.fragments:
        return _NO_FRAGMENTS
    order = sorted(overlay.fragments)
    parts = [overlay.fragments[i] for i in order]
    offsets = np.zeros(len(parts) + 1, dtype=np.int64)
    offsets[1:] = np.cumsum([len(p) for p in parts])
    return np.array(order, dtype=np.int32), offsets, np.frombuffer(b"".join(parts), np.uint8).copy()


def catalog(snap: Snapshot, price: np.ndarray, overlay: Overlay | None) -> Catalog:
    """The page kernel's snapshot bundle, under ``overlay`` with ``price``."""
    a = snap.arrays
    overlay_ids, overlay_offsets, overlay_blob = _fragments(overlay)
    return checked(Catalog(
        nbr_indptr=a["nbr_indptr"], nbr_indices=a["nbr_indices"], nbr_scores=a["nbr_scores"],
        nbr_counts=a["nbr_counts"], in_stock=a["in_stock"], price=price, category=a["category"], margin=a["margin"],
        week=a["purchases_7d"], month=a["purchases_30d"], views=a["views_7d"],
        rank_items=tuple(_aligned(a[f"{name}/items"]) for name in RANKINGS),
        rank_scores=tuple(_aligned(a[f"{name}/scores"]) for name in RANKINGS),
        rank_indptr=tuple(_aligned(a[f"{name}/indptr"]) for name in RANKINGS),
        cooc=co_occurrence_specs(snap.manifest.tables), has_views=bool(snap.has_views),
        blocked=overlay.blocked if overlay is not None else EMPTY_IDS,
        render_offsets=snap.render_offsets, render_blob=a["render_blob"],
        overlay_ids=overlay_ids, overlay_offsets=overlay_offsets, overlay_blob=overlay_blob,
        items=pack_items(a["in_stock"], price, a["category"], a["margin"])))
