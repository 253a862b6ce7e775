"""The integer aggregates of a build, counted by Spark (see ``edge.build.aggregate``).

Each table follows the single-node definition step by step: the same events, the same order
within a group (a session in time order; an order's lines in (session, time, input) order;
a customer's purchases newest first), the same caps and windows. Only integers and the
purchase-line units leave Spark; the driver scores them with the single-node code.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa

from edge.build.aggregate import (
    ALSO_VIEWED_MAX_ITEMS,
    BASKET_MAX_ITEMS,
    HISTORY_MAX_ITEMS,
    SOCIAL,
    VIEWED_NEXT_MAX_ITEMS,
    VIEWED_NEXT_WINDOW,
    Aggregates,
)
from edge.build.frames import EventType
from edge.build.spark.encode import SESSION
from edge.build.tables import Lines, Pairs
from edge.build.tables.popularity import DAY

if TYPE_CHECKING:
    from pyspark.sql import Column, DataFrame


def _np(table: pa.Table, name: str, dtype: type) -> np.ndarray:
    return np.asarray(table[name].to_numpy(), dtype=dtype)


def _item_counts(df: DataFrame, n_items: int) -> np.ndarray:
    """int32[n_items]: rows of ``df`` (one per group and item) per item."""
    got = df.groupBy("item").count().toArrow()
    out = np.zeros(n_items, np.int32)
    out[_np(got, "item", np.int64)] = _np(got, "count", np.int32)
    return out


def first_positions(df: DataFrame, group: list[str], order: Column, cap: int) -> DataFrame:
    """Distinct items of each group in order of their first row by ``order``, the first ``cap``."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    firsts = df.groupBy(*group, "item").agg(F.min(order).alias("first"))
    pos = F.row_number().over(Window.partitionBy(*group).orderBy("first")) - 1
    return firsts.withColumn("pos", pos).where(F.col("pos") < cap).drop("first")


def _undirected(df: DataFrame, group: list[str], n_items: int, window: int | None) -> Pairs:
    """Pairs (a < b) of each group's distinct items, each with the next ``window`` (None: all)."""
    from pyspark.sql import functions as F

    x = df.select(*group, F.col("item").alias("x"), F.col("pos").alias("px"))
    y = df.select(*group, F.col("item").alias("y"), F.col("pos").alias("py"))
    if window is None:
        joined = x.join(y, group).where(F.col("py") > F.col("px"))
    else:
        x = x.withColumn("py", F.explode(F.sequence(F.col("px") + 1, F.col("px") + window)))
        joined = x.join(y, [*group, "py"])
    pairs = joined.select(F.least("x", "y").alias("a"), F.greatest("x", "y").alias("b")) \
        .groupBy("a", "b").count().toArrow()
    return Pairs(_np(pairs, "a", np.int32), _np(pairs, "b", np.int32), _np(pairs, "count", np.int32),
                 _item_counts(df, n_items))


def _sequence(df: DataFrame, n_items: int) -> Pairs:
    """viewed_next: steps of a session (immediate repeats collapsed), follows within the window."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    in_time = Window.partitionBy(*SESSION).orderBy("ts", "seq")
    steps = df.withColumn("prev", F.lag("item").over(in_time)) \
        .where(F.col("prev").isNull() | (F.col("prev") != F.col("item"))) \
        .withColumn("step", F.row_number().over(in_time) - 1) \
        .where(F.col("step") < VIEWED_NEXT_MAX_ITEMS).select(*SESSION, "item", "step")
    x = steps.select(*SESSION, F.col("item").alias("a"), F.col("step").alias("sx")) \
        .withColumn("dist", F.explode(F.sequence(F.lit(1), F.lit(VIEWED_NEXT_WINDOW))))
    y = steps.select(*SESSION, F.col("item").alias("b"), F.col("step").alias("sy"))
    follows = x.join(y, [*SESSION]).where((F.col("sy") == F.col("sx") + F.col("dist")) & (F.col("a") != F.col("b")))
    nearest = follows.groupBy(*SESSION, "a", "b").agg(F.min("dist").alias("dist"))
    pairs = nearest.groupBy("a", "b", "dist").count().toArrow()
    return Pairs(_np(pairs, "a", np.int32), _np(pairs, "b", np.int32), _np(pairs, "count", np.int32),
                 _item_counts(steps.select(*SESSION, "item").distinct(), n_items), _np(pairs, "dist", np.int16))


def _lines(ev: DataFrame, now: int) -> Lines:
    from pyspark.sql import functions as F

    live = ev.where(F.col("ts") <= now)
    other = live.where(F.col("kind") != int(EventType.PURCHASE)) \
        .select("item", "kind", "ts", F.lit(1.0).alias("units"), "region", "segment")
    buy = live.where(F.col("kind") == int(EventType.PURCHASE))
    line = F.when(F.col("order_id").isNotNull(), F.col("order_id")).otherwise(F.concat(F.lit("\0"), F.col("seq")))
    latest = F.max(F.struct("ts", *SESSION, "seq", "region", "segment")).alias("rep")
    # Spark orders NaN above every number: test it apart, as `q > 0` is false for NaN in numpy.
    whole = (F.col("quantity") > 0) & ~F.isnan("quantity")
    units = F.sum(F.when(whole, F.col("quantity")).otherwise(F.lit(1.0))).alias("units")
    buys = buy.groupBy(line.alias("line"), "item", "kind").agg(latest, units) \
        .select("item", "kind", "rep.ts", "units", "rep.region", "rep.segment")
    got = other.unionByName(buys).groupBy("item", "kind", "ts", "units", "region", "segment").count().toArrow()
    return Lines(item=_np(got, "item", np.int32), kind=_np(got, "kind", np.int8), ts=_np(got, "ts", np.int64),
                 units=_np(got, "units", np.float64), region=_np(got, "region", np.int32),
                 segment=_np(got, "segment", np.int32), copies=_np(got, "count", np.int64))


def _recent(ev: DataFrame, n_items: int, now: int, days: float, kinds: tuple[int, ...]) -> np.ndarray:
    """recent_counts: distinct orders (purchases; by session without one) or sessions per item."""
    from pyspark.sql import functions as F

    if not kinds:
        return np.zeros(n_items, np.int32)
    window = ev.where(F.col("kind").isin(list(kinds)) & (F.col("ts") <= now) & (F.col("ts") > now - days * DAY))
    session = F.concat_ws(":", *SESSION)
    buy = F.col("kind") == int(EventType.PURCHASE)
    ctx = F.when(buy & F.col("order_id").isNotNull(), F.concat(F.lit("o"), F.col("order_id"))) \
        .when(buy, F.concat(F.lit("b"), session)).otherwise(F.concat(F.lit("s"), session))
    got = window.groupBy("item").agg(F.countDistinct(ctx).alias("n")).toArrow()
    out = np.zeros(n_items, np.int32)
    out[_np(got, "item", np.int64)] = _np(got, "n", np.int32)
    return out


def aggregate_df(ev: DataFrame, n_items: int, now: int, window: int, regions: list[str],
                 segments: list[str]) -> Aggregates:
    from pyspark.sql import functions as F

    by_kind = {int(r["kind"]): int(r["count"]) for r in ev.groupBy("kind").count().collect()}
    counts = {f"events_{t.name.lower()}": by_kind.get(int(t), 0) for t in EventType}
    totals = ev.agg(F.count("*").alias("n"), F.countDistinct("order_id").alias("orders"),
                    F.countDistinct(*SESSION).alias("sessions"), F.countDistinct("user_id").alias("users")).first()
    assert totals is not None
    counts.update(orders=int(totals["orders"]), sessions=int(totals["sessions"]), users=int(totals["users"]))

    browse = [int(EventType.VIEW), int(EventType.CLICK), int(EventType.CART)]
    if not (by_kind.get(int(EventType.VIEW), 0) or by_kind.get(int(EventType.CLICK), 0)):
        browse.append(int(EventType.PURCHASE))  # purchase-only shops: sessions are orders
    browsing = ev.where(F.col("kind").isin(browse))
    viewed = first_positions(browsing, list(SESSION), F.struct("ts", "seq"), ALSO_VIEWED_MAX_ITEMS)
    buy = ev.where(F.col("kind") == int(EventType.PURCHASE))
    basket = first_positions(buy.where(F.col("order_id").isNotNull()), ["order_id"],
                        F.struct(*SESSION, "ts", "seq"), BASKET_MAX_ITEMS)
    history = first_positions(buy.where(F.col("user_id").isNotNull()), ["user_id"],
                         F.struct((-F.col("ts")).alias("newest"), *SESSION, "seq"), HISTORY_MAX_ITEMS)
    pairs = {
        "also_viewed": _undirected(viewed, list(SESSION), n_items, window),
        "viewed_next": _sequence(browsing, n_items),
        "bought_together": _undirected(basket, ["order_id"], n_items, None),
        "also_bought": _undirected(history, ["user_id"], n_items, None),
    }
    social = {name: _recent(ev, n_items, now, days, kinds) for name, (days, kinds) in SOCIAL.items()}
    return Aggregates(n_items=n_items, n_events=int(totals["n"]), counts=counts, lines=_lines(ev, now),
                      pairs=pairs, social=social, regions=regions, segments=segments)
