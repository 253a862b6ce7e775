"""Content neighbours scored on the executors.

The driver computes the kernel's inputs from the catalog once (title postings, category paths,
price windows: linear in the catalog) and broadcasts them; each task scores every ``parts``-th
row with the single-node row kernel and sends back only its rows' top-k. Rows are independent
given the inputs, so the table is the single-node builder's to the bit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from edge.build.frames import Catalog, Neighbours
from edge.build.tables.content import content_features, content_rows, content_table
from edge.build.tables.cooccur import empty_neighbours

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

TASKS_PER_CORE = 4  # heavy rows cluster in big categories: more, smaller tasks even out the cores


def similar_content_spark(session: SparkSession, catalog: Catalog, k: int) -> Neighbours:
    n = len(catalog)
    features = content_features(catalog, k)
    if features is None:
        return empty_neighbours(n)
    sc = session.sparkContext
    parts = max(1, min(n, sc.defaultParallelism * TASKS_PER_CORE))
    shared = sc.broadcast(features)

    def score(part: int) -> tuple[int, np.ndarray, np.ndarray, np.ndarray]:
        return (part, *content_rows(shared.value, np.arange(part, n, parts, dtype=np.int64)))

    try:
        results = sc.parallelize(range(parts), parts).map(score).collect()
    finally:
        shared.destroy()
    return content_table(n, [(np.arange(part, n, parts, dtype=np.int64), sizes, ids, scores)
                             for part, sizes, ids, scores in results])
