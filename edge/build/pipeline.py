"""``skylt build``: shop data in, a versioned, immutable LMDB snapshot out.

read (validate) -> encode (dense ids) -> aggregate (integer counts) -> score (floats) -> write -> publish.
The Spark builder (``edge.build.spark``) replaces the first three steps and shares the rest.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import msgspec
import numpy as np

from edge.build import tables
from edge.build.aggregate import Aggregates, aggregate
from edge.build.encode import encode
from edge.build.frames import Catalog, Events, Neighbours, Ranking
from edge.build.readers import read_catalog, read_events
from edge.build.render import render_fragments, string_table
from edge.build.writer import array_specs, publish, write_snapshot
from edge.layout import NEIGHBOUR_TABLES, RANKINGS, SCHEMA_VERSION, InputFile, Manifest, Tune

Progress = Callable[[str], None]


class BuildParams(msgspec.Struct, kw_only=True, frozen=True):
    """Knobs of a build; all are recorded in the manifest."""

    k: int = 50                      # neighbours kept per item and table
    window: int = 5                  # co-view window: each item pairs with the next 5 distinct items
    half_life_days: float = 30.0     # bestseller decay relative to `now`
    trending_days: float = 7.0       # what "recent" means for trending and social proof
    group_top: int = 1000            # items kept per category/region/segment ranking
    keep: int = 3                    # published versions kept on disk


@dataclass(frozen=True)
class BuildResult:
    path: Path
    manifest: Manifest
    seconds: float


def build(events_paths: Sequence[Path], out_dir: Path, catalog_path: Path | None = None,
          now: int | None = None, params: BuildParams | None = None,
          progress: Progress | None = None, tune: bool = False) -> BuildResult:
    """``tune``: choose this shop's recipe weights on a validation window (``edge.evaluate.tune``),
    in at most the build's own time again; ``skylt build`` does unless ``--no-tune``."""
    params = params or BuildParams()
    say = progress or (lambda _step: None)
    started = time.perf_counter()

    inputs: list[InputFile] = []
    event_tables = []
    for path in events_paths:
        say(f"reading {path}")
        table = read_events(path)
        event_tables.append(table)
        inputs.append(describe_input(path, "events", table.num_rows))
    catalog_table = None
    if catalog_path is not None:
        say(f"reading {catalog_path}")
        catalog_table = read_catalog(catalog_path)
        inputs.append(describe_input(catalog_path, "catalog", catalog_table.num_rows))

    say("encoding ids")
    events, catalog = encode(event_tables, catalog_table)
    return build_frames(events, catalog, out_dir, inputs=inputs, now=now, params=params, progress=say,
                        started=started, tune=tune)


def build_frames(events: Events, catalog: Catalog, out_dir: Path, *, inputs: list[InputFile] | None = None,
                 now: int | None = None, params: BuildParams | None = None, progress: Progress | None = None,
                 started: float | None = None, tune: bool = False) -> BuildResult:
    """Compute, write and publish a snapshot from already encoded frames."""
    params = params or BuildParams()
    say = progress or (lambda _step: None)
    if now is None:
        now = int(events.ts.max()) if len(events) else int(time.time())
    say("counting")
    aggs = aggregate(events, len(catalog), now, params.window)
    tuner = None
    if tune:
        def tuner(budget: float) -> Tune | None:
            from edge.evaluate.tune import tune as tune_weights

            return tune_weights(events, catalog, params, budget, say=say)
    return build_aggregates(aggs, catalog, out_dir, inputs=inputs, now=now, params=params, progress=say,
                            started=started, tuner=tuner)


def build_aggregates(aggs: Aggregates, catalog: Catalog, out_dir: Path, *, now: int,
                     inputs: list[InputFile] | None = None, params: BuildParams | None = None,
                     progress: Progress | None = None, started: float | None = None,
                     engine: str = "single-node", scored: dict[str, Neighbours] | None = None,
                     tuner: Callable[[float], Tune | None] | None = None) -> BuildResult:
    """Score, write and publish a snapshot from either engine's aggregates. ``scored`` holds tables the
    engine has already scored itself (the Spark engine's content neighbours); ``tuner`` gets the seconds
    the build took so far as its budget and returns the manifest's ``tune`` section."""
    params = params or BuildParams()
    say = progress or (lambda _step: None)
    started = time.perf_counter() if started is None else started
    inputs = inputs or []
    arrays = arrays_from(aggs, catalog, now, params, say, scored=scored)
    tuned = tuner(time.perf_counter() - started) if tuner is not None else None
    say("writing snapshot")
    version = _version_name(inputs, params, now)
    manifest = Manifest(
        schema=SCHEMA_VERSION, version=version,
        built_at=datetime.now(UTC).isoformat(timespec="seconds"), now=now,
        n_items=len(catalog), n_events=aggs.n_events, inputs=inputs,
        counts=_counts(aggs, arrays),
        params={**msgspec.structs.asdict(params), "engine": engine},
        tables=list(NEIGHBOUR_TABLES), rankings=list(RANKINGS), arrays=array_specs(arrays),
        categories=catalog.categories, brands=catalog.brands, regions=aggs.regions,
        segments=aggs.segments, tune=tuned,
    )
    partial = write_snapshot(out_dir, manifest, arrays, catalog.item_ids)
    final = publish(partial, keep=params.keep)
    return BuildResult(path=final, manifest=manifest, seconds=time.perf_counter() - started)


def compute_arrays(events: Events, catalog: Catalog, now: int, params: BuildParams,
                   say: Progress, neighbours: bool = True) -> dict[str, np.ndarray]:
    """Every array of a snapshot; ``neighbours=False`` leaves the neighbour tables out."""
    aggs = aggregate(events, len(catalog), now, params.window, neighbours=neighbours)
    return arrays_from(aggs, catalog, now, params, say, neighbours=neighbours)


def arrays_from(aggs: Aggregates, catalog: Catalog, now: int, params: BuildParams, say: Progress,
                neighbours: bool = True, scored: dict[str, Neighbours] | None = None) -> dict[str, np.ndarray]:
    """Every array of a snapshot from the aggregates: the one place floats are computed."""
    n = len(catalog)
    arrays: dict[str, np.ndarray] = {
        "price": catalog.price, "category": catalog.category, "brand": catalog.brand,
        "in_stock": catalog.in_stock, "rating": catalog.rating, "review_count": catalog.review_count,
        "margin": catalog.margin, "created_at": catalog.created_at,
    }
    if neighbours:
        arrays.update(neighbour_arrays(aggs, catalog, params, say, scored))

    say("computing bestsellers and trending")
    arrays["popularity"] = tables.popularity_of(aggs.lines, n, now, params.half_life_days)
    arrays.update(ranking_arrays(aggs, catalog, now, params, RANKINGS))

    say("computing social proof")
    arrays.update(aggs.social)

    say("encoding render data")
    arrays["render_offsets"], arrays["render_blob"] = render_fragments(catalog)
    arrays["ext_offsets"], arrays["ext_blob"] = string_table(catalog.item_ids)
    return arrays


def neighbour_arrays(aggs: Aggregates, catalog: Catalog, params: BuildParams, say: Progress,
                     scored: dict[str, Neighbours] | None = None) -> dict[str, np.ndarray]:
    """Every neighbour table, scored (unless ``scored`` holds it already) and stacked (``nbr_*``)."""
    computed: dict[str, Neighbours] = {}
    for name in NEIGHBOUR_TABLES:
        if scored and name in scored:
            computed[name] = scored[name]
            continue
        say(f"computing {name}")
        computed[name] = _neighbour_table(name, aggs, catalog, params)
    return stack_neighbours(computed, len(catalog))


def ranking_arrays(aggs: Aggregates, catalog: Catalog, now: int, params: BuildParams,
                   names: Iterable[str]) -> dict[str, np.ndarray]:
    """The rankings ``names`` as ``<name>/indptr|items|scores`` arrays."""
    n, lines, hl, top = len(catalog), aggs.lines, params.half_life_days, params.group_top
    make: dict[str, Callable[[], Ranking]] = {
        "bestsellers": lambda: tables.ranking_of(lines, n, now, hl),
        "bestsellers_category": lambda: tables.ranking_of(lines, n, now, hl, item_group=catalog.category,
                                                          n_groups=len(catalog.categories), top=top),
        "bestsellers_region": lambda: tables.ranking_of(lines, n, now, hl, line_group="region",
                                                        n_groups=len(aggs.regions), top=top),
        "bestsellers_segment": lambda: tables.ranking_of(lines, n, now, hl, line_group="segment",
                                                         n_groups=len(aggs.segments), top=top),
        "trending": lambda: tables.trending_of(lines, n, now, recent_days=params.trending_days),
    }
    arrays: dict[str, np.ndarray] = {}
    for name in names:
        ranking = make[name]()
        arrays[f"{name}/indptr"] = ranking.indptr
        arrays[f"{name}/items"] = ranking.items
        arrays[f"{name}/scores"] = ranking.scores
    return arrays


# Tables scored from another table's aggregate (so neither engine counts anything new for them).
NEAR_SOURCE = {"viewed_near": "viewed_next"}


def _neighbour_table(name: str, aggs: Aggregates, catalog: Catalog, params: BuildParams) -> Neighbours:
    n, k = len(catalog), params.k
    if name == "similar_content":
        return tables.similar_content(catalog, k=k)
    pairs = aggs.pairs[NEAR_SOURCE.get(name, name)]
    if name in ("also_viewed", "also_bought"):
        return tables.cosine_scores(pairs, n, k, shrinkage=10.0)
    if name == "viewed_next":
        return tables.sequence_scores(pairs, n, k, decay=0.5, shrinkage=5.0)
    if name == "viewed_near":
        return tables.near_scores(pairs, n, k, decay=0.5, back=0.5, shrinkage=5.0)
    if name == "bought_together":
        return tables.basket_scores(pairs, n, k, shrinkage=3.0, alpha=0.5)
    raise ValueError(f"unknown neighbour table {name!r}")


def stack_neighbours(neighbours: dict[str, Neighbours], n: int) -> dict[str, np.ndarray]:
    """Stack the tables as one CSR so a kernel blends all of them in one call."""
    indptr = np.zeros((len(neighbours), n + 1), dtype=np.int64)
    offset = 0
    for t, table in enumerate(neighbours.values()):
        indptr[t] = table.indptr + offset
        offset += int(table.indptr[-1])
    tabs = list(neighbours.values())
    return {
        "nbr_indptr": indptr,
        "nbr_indices": np.concatenate([t.indices for t in tabs]).astype(np.int32, copy=False),
        "nbr_scores": np.concatenate([t.scores for t in tabs]).astype(np.float32, copy=False),
        "nbr_counts": np.concatenate([t.counts for t in tabs]).astype(np.int32, copy=False),
    }


def _counts(aggs: Aggregates, arrays: dict[str, np.ndarray]) -> dict[str, int]:
    counts = dict(aggs.counts)
    indptr = arrays["nbr_indptr"]
    for t, name in enumerate(NEIGHBOUR_TABLES):
        counts[f"nnz_{name}"] = int(indptr[t, -1] - indptr[t, 0])
    counts["items_in_stock"] = int(arrays["in_stock"].sum())
    return counts


def describe_input(path: Path, kind: str, rows: int) -> InputFile:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return InputFile(path=str(path), kind=kind, size=path.stat().st_size, sha256=digest.hexdigest(), rows=rows)


def _version_name(inputs: list[InputFile], params: BuildParams, now: int) -> str:
    digest = hashlib.sha256(msgspec.json.encode([inputs, params, now])).hexdigest()[:8]
    return f"{datetime.now(UTC).strftime('%Y%m%dT%H%M%S%fZ')}-{digest}"
