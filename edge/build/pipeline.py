"""``skylt build``: shop data in, a versioned, immutable LMDB snapshot out.

read (validate) -> encode (dense ids) -> aggregate (integer counts) -> score (floats) -> write -> publish.
The Spark builder (``edge.build.spark``) replaces the first three steps and shares the rest.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import msgspec
import numpy as np

from edge.build.aggregate import Aggregates, aggregate
from edge.build.arrays import arrays_from, rescore_tables
from edge.build.encode import encode
from edge.build.frames import Catalog, Events, Neighbours
from edge.build.params import BuildParams, Progress
from edge.build.readers import read_catalog, read_events
from edge.build.writer import array_specs, publish, write_snapshot
from edge.layout import NEIGHBOUR_TABLES, RANKINGS, SCHEMA_VERSION, InputFile, Manifest, Tune


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
    if tuned is not None and tuned.tables:  # the shop's window chose another scoring of a table
        arrays = rescore_tables(arrays, aggs, catalog, params, tuned.tables)
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
