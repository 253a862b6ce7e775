"""Tuning's validation window with Spark (see ``edge.evaluate.tune``), by the single-node rules.

Spark finds the cut (the session start below which ``1 - VALIDATION_SHARE`` of the sessions
start), counts each window session's and order's cases, and numbers them in the single-node
order (sessions by key, orders by first appearance). The driver draws the same sample of case
numbers (``_sample``: one seeded draw from the total), and collects only the items of the
sessions and orders those cases come from: at most ``MAX_CASES`` groups per family, plus the size
of every window order over 30 distinct items, whose random 30 the single-node code draws from
one generator in order. The events before the cut are counted by ``aggregate_df``, as for the
full build, and scored on the driver with the single-node code.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from edge.build.frames import EventType
from edge.build.spark.aggregate import aggregate_df, first_positions
from edge.build.spark.encode import SESSION
from edge.evaluate import tune as tuning
from edge.evaluate.protocols import Case

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

    from edge.build.spark.encode import Encoded
    from edge.layout import Tune

DAY = 86_400
SESSION_ITEMS = 30   # next_item_cases' max_items
BASKET_ITEMS = 30    # basket_cases' max_items


def cutoff_df(ev: DataFrame, share: float) -> int:
    """``protocols.cutoff``: the ``lower`` quantile of session starts, plus one. Two small
    collects (starts per day, then per second within the day that holds it), never every start."""
    from pyspark.sql import functions as F

    starts = ev.groupBy(*SESSION).agg(F.min("ts").alias("start")).withColumn("day", F.floor(F.col("start") / DAY))
    days = starts.groupBy("day").count().orderBy("day").collect()
    n = sum(int(r["count"]) for r in days)
    if n == 0:
        return 0
    k = math.floor((n - 1) * share)  # numpy's "lower" index, in the same float arithmetic
    for r in days:
        if k < int(r["count"]):
            for s in starts.where(F.col("day") == r["day"]).groupBy("start").count().orderBy("start").collect():
                if k < int(s["count"]):
                    return int(s["start"]) + 1
                k -= int(s["count"])
        k -= int(r["count"])
    raise AssertionError("quantile index out of range")


def _numbered(groups: DataFrame, order: list[str]) -> DataFrame:
    """Each group's first case number: the cases of the groups before it, in ``order``."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    before = Window.orderBy(*order).rowsBetween(Window.unboundedPreceding, -1)  # one partition: one row per group
    return groups.withColumn("first", F.coalesce(F.sum("cases").over(before), F.lit(0)).cast("long"))


def _picked(spark: SparkSession, groups: DataFrame, total: int, limit: int) -> tuple[list[int], DataFrame]:
    """The sampled case numbers (``tuning._sample``'s draw) and the groups that hold them."""
    from pyspark.sql import functions as F

    if total <= limit:
        pick = list(range(total))
    else:
        pick = np.sort(np.random.default_rng(0).choice(total, size=limit, replace=False)).tolist()
    wanted = spark.createDataFrame([(int(i),) for i in pick], "case long")
    hit = groups.join(F.broadcast(wanted), (F.col("case") >= F.col("first"))
                      & (F.col("case") < F.col("first") + F.col("cases")))
    return pick, hit.select(*[c for c in groups.columns]).distinct()


@dataclass(frozen=True)
class _Drawn:
    pick: list[int]                                     # the sampled case numbers, ascending
    firsts: dict[tuple[Any, ...], tuple[int, int]]      # chosen group -> (its first case number, its cases)
    items: dict[tuple[Any, ...], np.ndarray]            # chosen group -> its items in first-seen order
    large: list[tuple[tuple[Any, ...], int]]            # every group over ``large`` items, in order, with its size


def _draw(spark: SparkSession, positions: DataFrame, groups: DataFrame, key: list[str], order: list[str],
          limit: int, large: int | None = None) -> _Drawn | None:
    """Number the groups' cases, draw the sample, collect the chosen groups' items (None: fewer
    cases than ``MIN_CASES``). Both frames are cached while their few small results are collected."""
    from pyspark.sql import functions as F

    positions = positions.persist()
    groups = _numbered(groups, order).persist()
    try:
        total = int(groups.agg(F.sum("cases")).first()[0] or 0)  # type: ignore[index]
        if total < tuning.MIN_CASES:
            return None  # too few to search: the single-node list would be dropped as well
        pick, chosen = _picked(spark, groups, total, limit)
        firsts = {tuple(r[k] for k in key): (int(r["first"]), int(r["cases"])) for r in chosen.collect()}
        rows: dict[tuple[Any, ...], list[tuple[int, int]]] = {}
        for r in positions.join(chosen.select(*key), key, "left_semi").toArrow().to_pylist():
            rows.setdefault(tuple(r[k] for k in key), []).append((int(r["pos"]), int(r["item"])))
        items = {g: np.array([item for _, item in sorted(got)], np.int32) for g, got in rows.items()}
        sizes = [] if large is None else [
            (tuple(r[k] for k in key), int(r["n"]))
            for r in groups.where(F.col("n") > large).select(*key, *order, "n").orderBy(*order).collect()]
        return _Drawn(pick, firsts, items, sizes)
    finally:
        groups.unpersist()
        positions.unpersist()


def next_item_cases_df(spark: SparkSession, ev: DataFrame, cut: int, max_cases: int | None = None) -> list[Case]:
    """``family_cases``'s next-item cases: a window session's first 30 distinct items, k of them
    predicting item k + 1."""
    from pyspark.sql import functions as F

    key = list(SESSION)
    starts = ev.groupBy(*key).agg(F.min("ts").alias("start")).where(F.col("start") >= cut)
    positions = first_positions(ev.join(starts.select(*key), key, "left_semi"), key, F.struct("ts", "seq"),
                                SESSION_ITEMS)
    groups = positions.groupBy(*key).agg((F.count("*") - 1).alias("cases")).where(F.col("cases") > 0)
    drawn = _draw(spark, positions, groups, key, key, max_cases or tuning.MAX_CASES)
    if drawn is None:
        return []
    items = drawn.items
    return _cut_cases(drawn, lambda g, j: (items[g][:j + 1], int(items[g][j + 1])))


def basket_cases_df(spark: SparkSession, ev: DataFrame, cut: int, max_cases: int | None = None) -> list[Case]:
    """``family_cases``'s basket cases: each item of a window order with two or more distinct
    items held out in turn (30 of them, drawn as the single-node code draws, in larger orders)."""
    from pyspark.sql import functions as F

    first_seen = ev.where(F.col("order_id").isNotNull()).groupBy("order_id").agg(F.min("seq").alias("rank"))
    buys = ev.where((F.col("kind") == int(EventType.PURCHASE)) & F.col("order_id").isNotNull())
    starts = buys.groupBy("order_id").agg(F.min("ts").alias("start")).where(F.col("start") >= cut)
    positions = first_positions(buys.join(starts.select("order_id"), "order_id", "left_semi"), ["order_id"],
                           F.struct(*SESSION, "ts", "seq"), 2**31 - 1)
    sizes = positions.groupBy("order_id").agg(F.count("*").alias("n")).where(F.col("n") >= 2) \
        .join(first_seen, "order_id").withColumn("cases", F.least(F.col("n"), F.lit(BASKET_ITEMS)))
    drawn = _draw(spark, positions, sizes, ["order_id"], ["rank"], max_cases or tuning.MAX_CASES, BASKET_ITEMS)
    if drawn is None:
        return []
    items = drawn.items
    # One generator draws each large order's subset in order: replay it over every large window order.
    rng = np.random.default_rng(0)
    for g, n in drawn.large:
        subset = rng.choice(n, size=BASKET_ITEMS, replace=False)
        if g in items:
            items[g] = items[g][subset]

    def case(g: tuple[Any, ...], j: int) -> tuple[np.ndarray, int]:
        return np.delete(items[g], j).astype(np.int32), int(items[g][j])

    return _cut_cases(drawn, case)


def _cut_cases(drawn: _Drawn, make: Callable[[tuple[Any, ...], int], tuple[np.ndarray, int]]) -> list[Case]:
    """The sampled cases in number order. ``user`` stays unknown: the replay does not read it."""
    at = sorted((first, g) for g, (first, _) in drawn.firsts.items())
    starts = np.array([first for first, _ in at], np.int64)
    out = []
    for number in drawn.pick:
        g = at[int(np.searchsorted(starts, number, side="right")) - 1][1]
        seeds, target = make(g, number - drawn.firsts[g][0])
        out.append(Case(seeds=seeds, target=target, user=-1))
    return out


def validation_df(spark: SparkSession, ev: DataFrame, encoded: Encoded, params: Any) -> tuning.Validation:
    """``tuning.Validation`` of the encoded events ``ev``, by Spark; the training aggregates are
    counted only when the search asks for them."""
    from pyspark.sql import functions as F

    cut = cutoff_df(ev, 1.0 - tuning.VALIDATION_SHARE)
    browse = F.col("kind").isin([int(EventType.VIEW), int(EventType.CLICK), int(EventType.CART)])
    cases = {tuning.BASKET: basket_cases_df(spark, ev, cut)}
    if ev.where(browse).limit(1).count():
        cases[tuning.NEXT_ITEM] = next_item_cases_df(spark, ev, cut)
    train = ev.where(F.col("ts") < cut)
    has_views = bool(train.where(browse).limit(1).count())

    def aggregates() -> Any:
        return aggregate_df(train, len(encoded.catalog), cut - 1, params.window, encoded.regions, encoded.segments)

    return tuning.Validation(cut, cases, has_views, aggregates)


def tune_spark(spark: SparkSession, ev: DataFrame, encoded: Encoded, params: Any, budget: float,
               say: Callable[[str], None]) -> Tune | None:
    """``tuning.tune`` on the Spark engine's events. The window's Spark jobs (the cut, the cases,
    the counts before the cut) are counted like the build's own: they cost about what counting
    did, so inside the search's clock they would leave it no time. The search then gets the
    build's time so far, these jobs included, as on a single node."""
    began = time.perf_counter()
    say("tuning: the validation window with Spark")
    window = validation_df(spark, ev, encoded, params)
    if any(len(cases) >= tuning.MIN_CASES for cases in window.cases.values()):
        before = window.train()
        window = replace(window, train=lambda: before)
    return tuning.tune(lambda: window, encoded.catalog, params, budget + time.perf_counter() - began, say=say)
