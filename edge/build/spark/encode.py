"""Dense ids with Spark, by the rules of ``edge.build.encode``.

Items: catalog items in catalog order, then items seen only in events in order of first
appearance (smallest ``seq``). Sessions are not numbered here: what the tables need is their
order, and a session's key ``(s_class, s_a, s_b)`` sorts exactly as the single-node builder
numbers them: session ids by first appearance, then order ids by first appearance, then
each user's events split at 30-minute gaps (users by first appearance, then in time), then
rows with none of the three, in input order. Regions and segments: sorted distinct values.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from edge.build.encode import SESSION_GAP, catalog_frame, conform_catalog
from edge.build.frames import Catalog
from edge.build.parse import flat

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

SESSION = ("s_class", "s_a", "s_b")


@dataclass(frozen=True)
class Encoded:
    events: DataFrame     # seq, ts, kind, item, s_class, s_a, s_b, user_id, order_id, quantity, region, segment
    catalog: Catalog
    regions: list[str]
    segments: list[str]


def _codes(spark: SparkSession, events: DataFrame, column: str) -> tuple[DataFrame, list[str]]:
    from pyspark.sql import functions as F

    values = sorted(r[0] for r in events.where(F.col(column).isNotNull()).select(column).distinct().collect())
    mapping = spark.createDataFrame(pa.table({column: pa.array(values, pa.string()),
                                              f"{column}_code": pa.array(np.arange(len(values)), pa.int32())}))
    coded = events.join(F.broadcast(mapping), column, "left") \
        .withColumn(f"{column}_code", F.coalesce(F.col(f"{column}_code"), F.lit(-1).cast("int")))
    return coded.drop(column).withColumnRenamed(f"{column}_code", column), values


def _items(spark: SparkSession, events: DataFrame, cat: pa.Table) -> tuple[DataFrame, list[str]]:
    from pyspark.sql import functions as F

    cat_ids = flat(cat["item_id"])
    catalog_map = spark.createDataFrame(pa.table({
        "item_id": cat_ids.cast(pa.string()), "item": pa.array(np.arange(len(cat_ids)), pa.int32())}))
    first = events.groupBy("item_id").agg(F.min("seq").alias("first"))
    new = first.join(catalog_map, "item_id", "left_anti").toArrow()
    new = new.take(pc.sort_indices(new["first"]))
    new_ids = new["item_id"].to_pylist()
    new_map = spark.createDataFrame(pa.table({
        "item_id": pa.array(new_ids, pa.string()),
        "item": pa.array(len(cat_ids) + np.arange(len(new_ids)), pa.int32())}))
    mapping = catalog_map.unionByName(new_map)
    return events.join(mapping, "item_id"), new_ids


def _event_prices(events: DataFrame, n_cat: int, n_new: int) -> np.ndarray:
    """Median event price of each item seen only in events (NaN without prices), as group_median."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    priced = events.where((F.col("item") >= n_cat) & F.col("price").isNotNull() & ~F.isnan("price"))
    by_item = Window.partitionBy("item")
    ranked = priced.select("item", "price",
                           (F.row_number().over(by_item.orderBy("price", "seq")) - 1).alias("r"),
                           F.count("*").over(by_item).alias("c"))
    middle = ranked.where((F.col("r") == F.floor((F.col("c") - 1) / 2)) | (F.col("r") == F.floor(F.col("c") / 2)))
    mid = middle.groupBy("item").agg(F.min("price").alias("lo"), F.max("price").alias("hi")).toArrow()
    out = np.full(n_new, np.nan)
    idx = mid["item"].to_numpy() - n_cat
    out[idx] = (mid["lo"].to_numpy() + mid["hi"].to_numpy()) / 2
    return out


def _sessions(events: DataFrame) -> DataFrame:
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    def first(column: str, name: str) -> DataFrame:
        return events.where(F.col(column).isNotNull()).groupBy(column).agg(F.min("seq").alias(name))

    ev = events.join(first("session_id", "f_session"), "session_id", "left") \
        .join(first("order_id", "f_order"), "order_id", "left") \
        .join(first("user_id", "f_user"), "user_id", "left")
    s_class = F.when(F.col("session_id").isNotNull(), 0).when(F.col("order_id").isNotNull(), 1) \
        .when(F.col("user_id").isNotNull(), 2).otherwise(3)
    ev = ev.withColumn("s_class", s_class.cast("int"))
    ev = ev.withColumn("s_a", F.when(F.col("s_class") == 0, F.col("f_session"))
                       .when(F.col("s_class") == 1, F.col("f_order"))
                       .when(F.col("s_class") == 2, F.col("f_user")).otherwise(F.col("seq")))
    by_user = Window.partitionBy("s_class", "user_id").orderBy("ts", "seq")
    gap = F.col("ts") - F.lag("ts").over(by_user)
    starts = F.when(F.lag("ts").over(by_user).isNull() | (gap > SESSION_GAP), 1).otherwise(0)
    ev = ev.withColumn("_start", starts).withColumn(
        "s_b", F.when(F.col("s_class") == 2,
                      F.sum("_start").over(by_user.rowsBetween(Window.unboundedPreceding, Window.currentRow)))
        .otherwise(0).cast("long"))
    return ev.drop("_start", "f_session", "f_order", "f_user", "session_id")


def encode_df(spark: SparkSession, events: DataFrame, catalog: pa.Table | None) -> Encoded:
    """Events with dense items, session keys and region/segment codes, and the Catalog frame."""
    from pyspark.sql import functions as F

    cat = conform_catalog(catalog)
    ev, new_ids = _items(spark, events, cat)
    ev, regions = _codes(spark, ev, "region")
    ev, segments = _codes(spark, ev, "segment")
    ev = ev.withColumnRenamed("type", "kind")
    prices = _event_prices(ev, cat.num_rows, len(new_ids))
    ev = _sessions(ev).select("seq", "ts", "kind", "item", *SESSION, "user_id", "order_id",
                              F.col("quantity").cast("float").cast("double").alias("quantity"),
                              "region", "segment")
    return Encoded(events=ev, catalog=catalog_frame(cat, new_ids, prices), regions=regions, segments=segments)
