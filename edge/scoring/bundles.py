"""The page kernel's arguments, as a few typed bundles instead of a positional list.

Bundles are built by keyword, and ``checked`` refuses a ``Catalog`` whose arrays have other
dtypes or dimensions than the kernel was written for, so two arrays swapped (a price where a
category belongs) fail when the bundle is built, once per snapshot, instead of compiling a
second specialisation that computes with the wrong array. Each bundle changes at its own
pace: ``Catalog`` with the snapshot, its price file and the catalog overlay (built once per
``edge.served.Served``), ``Program`` never (the slot programs and reason texts), ``Tunables``
with the snapshot's manifest and the settings, ``Request`` with every request.

The compiled entry points (``plan_page``, ``page_items``) take two arguments: ``Bundles``, a
numba structref holding the catalog, program and tunables, built once per ``Served`` (numba
unboxes it in well under a microsecond, where the same NamedTuples cost some 7 us per call,
as the dispatcher types every array of a NamedTuple in Python), and the request as a plain
tuple in ``Request`` field order (``tuple(Request(...))``: plain tuples are typed by numba's
fast path), made a ``Request`` again inside the kernel.

To add a bundle: define it here, append it to the entry points' arguments (and to
``edge.slots.compiled.kernel_args``), and pass it on to the inner kernels. Something that
changes only with the snapshot, the overlay or a generation of its own is cheapest as one more
field of ``Bundles``, rebuilt with the ``Served`` (as the overlay is); the warm-up compiles the
new signature before a snapshot serves.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numba
import numpy as np
from numba.core import types
from numba.experimental import structref


class Catalog(NamedTuple):
    nbr_indptr: np.ndarray       # int64 [table, item + 1]
    nbr_indices: np.ndarray      # int32
    nbr_scores: np.ndarray       # float32
    nbr_counts: np.ndarray       # int32
    in_stock: np.ndarray         # bool
    price: np.ndarray            # float32, the overlay's prices where it has any
    category: np.ndarray         # int32
    margin: np.ndarray           # float32, NaN where unknown
    week: np.ndarray             # purchases in the last 7 days
    month: np.ndarray            # purchases in the last 30 days
    views: np.ndarray            # views in the last 7 days
    rank_items: tuple            # per ranking (``edge.slots.compiled.RANKINGS`` order): int32 items
    rank_scores: tuple           # float32
    rank_indptr: tuple           # int64 group offsets
    cooc: np.ndarray             # int64 evidence specs resolved against the snapshot's tables
    has_views: bool              # the shop sends views (else co-view tables count orders)
    blocked: np.ndarray          # sorted int32: what the overlay hides (out of stock or deleted)
    render_offsets: np.ndarray   # int64 [item + 1]
    render_blob: np.ndarray      # uint8: each item's JSON members
    overlay_ids: np.ndarray      # sorted int32: items whose fragment the overlay replaced
    overlay_offsets: np.ndarray  # int64
    overlay_blob: np.ndarray     # uint8
    items: np.ndarray            # int32 [item, 4]: stock, price and category (and margin) per item, as the page
                                 # kernel reads them (``edge.scoring.items.pack`` of the arrays above)


# The dtype and dimensions of each array field of ``Catalog``.
CATALOG_ARRAYS: dict[str, tuple[type, int]] = {
    "nbr_indptr": (np.int64, 2), "nbr_indices": (np.int32, 1), "nbr_scores": (np.float32, 1),
    "nbr_counts": (np.int32, 1), "in_stock": (np.bool_, 1), "price": (np.float32, 1), "category": (np.int32, 1),
    "margin": (np.float32, 1), "week": (np.int32, 1), "month": (np.int32, 1), "views": (np.int32, 1),
    "cooc": (np.int64, 2), "blocked": (np.int32, 1), "render_offsets": (np.int64, 1), "render_blob": (np.uint8, 1),
    "overlay_ids": (np.int32, 1), "overlay_offsets": (np.int64, 1), "overlay_blob": (np.uint8, 1),
    "items": (np.int32, 2),
}
RANKING_ARRAYS = (("rank_items", np.int32), ("rank_scores", np.float32), ("rank_indptr", np.int64))


def checked(catalog: Catalog) -> Catalog:
    """``catalog`` if every array has the dtype and dimensions the kernel reads, else TypeError."""
    wrong = [f"{name}: {a.dtype}[{a.ndim}d], not {np.dtype(dtype)}[{ndim}d]"
             for name, (dtype, ndim) in CATALOG_ARRAYS.items()
             if (a := getattr(catalog, name)).dtype != dtype or a.ndim != ndim]
    wrong += [f"{name}[{i}]: {a.dtype}" for name, dtype in RANKING_ARRAYS
              for i, a in enumerate(getattr(catalog, name)) if a.dtype != dtype or a.ndim != 1]
    if wrong:
        raise TypeError("the page kernel's catalog bundle has arrays of the wrong type: " + "; ".join(wrong))
    return catalog


class Program(NamedTuple):
    steps: np.ndarray            # int64 step rows (``edge.slots.programs``)
    text_kinds: np.ndarray       # int64 per reason text (``edge.slots.texts``)
    text_offsets: np.ndarray     # int64
    text_blob: np.ndarray        # uint8
    pieces: np.ndarray           # uint8 (``edge.scoring.splice.PIECES``)


class Tunables(NamedTuple):
    table_weights: np.ndarray    # float32 [recipe, table]
    history_half_life: float     # recency half-life of the history seeds, in positions
    similar_half_life: float     # S_NEAR: fade of the earlier views beside the anchor, in positions (0: none)
    max_per_category: int        # per slot, 0: no limit
    upsell_lo: float             # upsell band, x the anchor's price
    upsell_hi: float
    addon_cap: float             # the add-on price cap without a free-shipping gap
    addon_share: float           # ... or this share of the cart value, the lower
    favourite_half_life: float   # recency half-life of the favourite category's views
    purchase_weight: float       # a purchase as a seed of ``for_you``, against a fresh view's 1
    gap_stretch: float           # add-ons up to this x the free-shipping gap still close it


class Request(NamedTuple):
    slots: np.ndarray            # int64 slot rows (``edge.slots.programs.slot_rows``)
    anchor: np.ndarray           # int32: the current item, else the latest viewed one (0 or 1 ids)
    history: np.ndarray          # int32, most recent last
    purchased: np.ndarray        # int32
    cart: np.ndarray             # int32
    current: np.ndarray          # int32 (0 or 1 ids)
    excluded: np.ndarray         # int32: the request's ``exclude``
    cat_allow: np.ndarray        # int32, empty: every category
    price_lo: float
    price_hi: float
    n: int
    region: int
    segment: int
    gap: float                   # the free-shipping gap, NaN when not given


@structref.register
class BundlesType(types.StructRef):
    def preprocess_fields(self, fields: Any) -> Any:
        return tuple((name, types.unliteral(t)) for name, t in fields)


class Bundles(structref.StructRefProxy):
    """The catalog, program and tunables of one ``Served``, boxed once for the kernels."""


structref.define_proxy(Bundles, BundlesType, ["catalog", "program", "tunables"])


@numba.njit(cache=True)
def bundles(catalog: Catalog, program: Program, tunables: Tunables) -> Bundles:
    """Build ``Bundles`` (compiled and cached: the proxy's own constructor compiles in every process)."""
    return Bundles(catalog, program, tunables)
