"""What tuning adds to a Spark build: a month of UCI Online Retail (the parity test's input), built
untuned and tuned by Spark ``local[2]`` in one warm session, then by the single-node builder.

    python -m benchmarks.spark_tune
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from edge.build.pipeline import build
from edge.build.spark.build import build_spark
from edge.build.spark.session import spark_session
from tests.build.spark.test_parity import uci_month


def main() -> None:
    tmp = Path(tempfile.mkdtemp())
    month, catalog = uci_month(tmp)
    events = [month]
    spark = spark_session()
    try:
        build_spark(events, tmp / "warm", catalog_path=catalog, spark=spark)  # JIT, JVM and caches warm
        for tune in (False, True):
            began = time.perf_counter()
            result = build_spark(events, tmp / f"spark-{tune}", catalog_path=catalog, spark=spark, tune=tune)
            print(f"spark tune={tune}: {time.perf_counter() - began:.1f} s", result.manifest.tune)
    finally:
        spark.stop()
    for tune in (False, True):
        began = time.perf_counter()
        result = build(events, tmp / f"single-{tune}", catalog_path=catalog, tune=tune)
        print(f"single-node tune={tune}: {time.perf_counter() - began:.1f} s", result.manifest.tune)


if __name__ == "__main__":
    main()
