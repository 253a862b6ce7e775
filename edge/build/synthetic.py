"""Synthetic shops for benchmarks: realistic sizes, skewed popularity, no real data needed.

``synthetic_frames`` makes events and a catalog for build benchmarks; ``synthetic_snapshot``
writes a snapshot with exactly ``k`` neighbours per item and table (no computation) for
request-path and open benchmarks on catalogs of a million items.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from edge.build.arrays import stack_neighbours
from edge.build.frames import Catalog, Events, EventType, Neighbours
from edge.build.pipeline import BuildParams, compute_arrays
from edge.build.writer import array_specs, publish, write_snapshot
from edge.layout import NEIGHBOUR_TABLES, RANKINGS, SCHEMA_VERSION, Manifest

N_CATEGORIES = 500
N_BRANDS = 2000


def synthetic_catalog(n_items: int, seed: int = 0) -> Catalog:
    rng = np.random.default_rng(seed)
    ids = [f"SKU-{i}" for i in range(n_items)]
    category = rng.integers(0, N_CATEGORIES, n_items).astype(np.int32)
    return Catalog(
        item_ids=ids,
        price=np.round(rng.lognormal(3.0, 1.0, n_items), 2).astype(np.float32),
        category=category,
        brand=rng.integers(0, N_BRANDS, n_items).astype(np.int32),
        in_stock=rng.random(n_items) > 0.05,
        rating=np.round(rng.uniform(2.5, 5.0, n_items), 1).astype(np.float32),
        review_count=rng.integers(0, 500, n_items).astype(np.int32),
        margin=rng.uniform(0.05, 0.6, n_items).astype(np.float32),
        created_at=np.zeros(n_items, dtype=np.int64),
        title=[f"Product {i}" for i in range(n_items)],
        url=[f"/products/sku-{i}" for i in range(n_items)],
        image=[f"/images/sku-{i}.jpg" for i in range(n_items)],
        currency=["EUR"] * n_items,
        categories=[f"Department {c // 50} > Category {c}" for c in range(N_CATEGORIES)],
        brands=[f"Brand {b}" for b in range(N_BRANDS)],
    )


def _zipf_items(rng: np.random.Generator, n_items: int, size: int) -> np.ndarray:
    # Zipf-like popularity over a random permutation, so popular ids are spread out.
    ranks = np.minimum(rng.zipf(1.2, size) - 1, n_items - 1)
    return rng.permutation(n_items).astype(np.int32)[ranks]


def synthetic_frames(n_events: int, n_items: int, seed: int = 0, session_length: int = 10,
                     start: int = 1_700_000_000) -> tuple[Events, Catalog]:
    """Sessions of ~``session_length`` events: views, some carts, some orders."""
    rng = np.random.default_rng(seed)
    session = np.repeat(np.arange(n_events // session_length + 1, dtype=np.int64), session_length)[:n_events]
    kind = rng.choice(np.array([EventType.VIEW, EventType.CART, EventType.PURCHASE], dtype=np.int8),
                      size=n_events, p=[0.85, 0.1, 0.05])
    ts = start + session * 60 + np.tile(np.arange(session_length, dtype=np.int64) * 20,
                                        n_events // session_length + 1)[:n_events]
    n_users = max(n_events // 50, 1)
    user = (session % n_users).astype(np.int64)
    order = np.where(kind == EventType.PURCHASE, session, -1).astype(np.int64)
    events = Events(ts=ts, kind=kind, item=_zipf_items(rng, n_items, n_events), session=session, user=user,
                    order=order, quantity=np.ones(n_events, np.float32), price=np.full(n_events, np.nan, np.float32),
                    region=(session % 5).astype(np.int32), segment=np.full(n_events, -1, np.int32),
                    regions=[f"region-{r}" for r in range(5)], segments=[])
    return events, synthetic_catalog(n_items, seed)


def _random_neighbours(rng: np.random.Generator, n_items: int, k: int) -> Neighbours:
    indices = _zipf_items(rng, n_items, n_items * k)
    scores = np.sort(rng.random((n_items, k), dtype=np.float32), axis=1)[:, ::-1].ravel()
    return Neighbours(indptr=np.arange(0, n_items * k + 1, k, dtype=np.int64), indices=indices,
                      scores=np.ascontiguousarray(scores),
                      counts=rng.integers(1, 100, n_items * k).astype(np.int32))


def synthetic_snapshot(out_dir: Path, n_items: int = 1_000_000, k: int = 50, seed: int = 0,
                       n_events: int = 2_000_000) -> Path:
    """Write and publish a snapshot with ``k`` random neighbours per item in every table."""
    rng = np.random.default_rng(seed)
    events, catalog = synthetic_frames(n_events, n_items, seed)
    params = BuildParams(k=k)
    now = int(events.ts.max())
    # Rankings, social proof and render data come from the real computations; the
    # neighbour tables are replaced by full random ones so every row has exactly k.
    arrays = compute_arrays(events, catalog, now, params, lambda _s: None, neighbours=False)
    arrays.update(stack_neighbours({name: _random_neighbours(rng, n_items, k) for name in NEIGHBOUR_TABLES}, n_items))
    manifest = Manifest(
        schema=SCHEMA_VERSION, version=f"19700101T000000000000Z-synthetic{n_items}",
        built_at="1970-01-01T00:00:00+00:00", now=now, n_items=n_items, n_events=len(events), inputs=[],
        counts={}, params={"k": k, "synthetic": 1}, tables=list(NEIGHBOUR_TABLES), rankings=list(RANKINGS),
        arrays=array_specs(arrays), categories=catalog.categories, brands=catalog.brands, regions=events.regions,
        segments=events.segments,
    )
    return publish(write_snapshot(out_dir, manifest, arrays, catalog.item_ids), keep=1)
