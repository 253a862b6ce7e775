"""``skylt build --engine spark``: read, encode and count with Spark, score content neighbours
on the executors; score the rest, tune, write and publish with the single-node code
(``edge.build.pipeline.build_aggregates``; tuning's validation window is counted by Spark too)."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from edge.build.aggregate import Aggregates
from edge.build.frames import Neighbours
from edge.build.pipeline import BuildParams, BuildResult, Progress, build_aggregates, describe_input
from edge.build.spark.aggregate import aggregate_df
from edge.build.spark.content import similar_content_spark
from edge.build.spark.encode import Encoded, encode_df
from edge.build.spark.read import explain_failure, is_local_path, read_catalog_table, read_events_df
from edge.build.spark.session import require_pyspark, spark_session
from edge.errors import EmptyInputError, SkyltError
from edge.layout import InputFile, Tune

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession


def _describe(path: str | Path, kind: str, rows: int) -> InputFile:
    if is_local_path(path):
        return describe_input(Path(str(path).removeprefix("file://")), kind, rows)
    return InputFile(path=str(path), kind=kind, size=-1, sha256="", rows=rows)  # not hashed: read by Spark only


def build_spark(events_paths: Sequence[str | Path], out_dir: Path, catalog_path: str | Path | None = None,
                now: int | None = None, params: BuildParams | None = None, progress: Progress | None = None,
                master: str | None = None, spark: SparkSession | None = None, tune: bool = False) -> BuildResult:
    """The Spark engine's build; ``spark`` reuses a session (tests), else one is made for ``master``.
    ``tune``: as the single-node ``build``, with the validation window counted by Spark
    (``edge.build.spark.tune``); the session lives until the search has what it needs."""
    require_pyspark()
    params = params or BuildParams()
    say = progress or (lambda _step: None)
    started = time.perf_counter()
    if spark is None:
        from pyspark.sql import SparkSession

        # A session someone else started (a notebook, a test) is theirs to stop.
        own = SparkSession.getActiveSession() is None
        session = spark_session(master)
    else:
        own, session = False, spark
    cached: list[DataFrame] = []
    try:
        inputs, encoded, now, aggs, scored = _count(session, events_paths, catalog_path, now, params, say, cached)
        tuner = None
        if tune:
            ev = cached[-1]

            def tuner(budget: float) -> Tune | None:
                from edge.build.spark.tune import tune_spark

                return tune_spark(session, ev, encoded, params, budget, say)
        return build_aggregates(aggs, encoded.catalog, out_dir, now=now, inputs=inputs, params=params,
                                progress=say, started=started, engine="spark", scored=scored, tuner=tuner)
    finally:
        for frame in cached:
            frame.unpersist()
        if own:
            session.stop()


def _count(session: SparkSession, events_paths: Sequence[str | Path], catalog_path: str | Path | None,
           now: int | None, params: BuildParams, say: Progress,
           cached: list[DataFrame]) -> tuple[list[InputFile], Encoded, int, Aggregates, dict[str, Neighbours]]:
    """Read, encode and count; the encoded events stay cached (last in ``cached``) for tuning."""
    from pyspark import StorageLevel
    from pyspark.sql import functions as F

    try:
        say("reading events with Spark")
        raw = read_events_df(session, events_paths).persist(StorageLevel.MEMORY_AND_DISK)
        cached.append(raw)
        per_file = {int(r["file"]): int(r["count"]) for r in raw.groupBy("file").count().collect()}
        if not per_file:
            raise EmptyInputError("no data rows", path=str(events_paths[0]))
        inputs = [_describe(p, "events", per_file.get(i, 0)) for i, p in enumerate(events_paths)]
        catalog_table = None
        if catalog_path is not None:
            say(f"reading {catalog_path}")
            catalog_table = read_catalog_table(session, catalog_path)
            inputs.append(_describe(catalog_path, "catalog", catalog_table.num_rows))
        say("encoding ids with Spark")
        encoded = encode_df(session, raw, catalog_table)
        ev = encoded.events.persist(StorageLevel.MEMORY_AND_DISK)
        cached.append(ev)
        if now is None:
            now = int(ev.agg(F.max("ts")).first()[0])  # type: ignore[index]
        say("counting with Spark")
        aggs = aggregate_df(ev, len(encoded.catalog), now, params.window, encoded.regions, encoded.segments)
        say("computing similar_content with Spark")
        scored = {"similar_content": similar_content_spark(session, encoded.catalog, params.k)}
    except SkyltError:
        raise
    except Exception as exc:
        explain_failure(exc, events_paths, catalog_path)
        raise
    return inputs, encoded, now, aggs, scored
