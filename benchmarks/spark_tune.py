"""What tuning adds to a Spark build: a month of UCI Online Retail (the parity test's input), built
untuned and tuned by Spark ``local[2]`` in one warm session, then by the single-node builder.

    python -m benchmarks.spark_tune
"""

from __future__ import annotations

import csv
import gzip
import tempfile
import time
from pathlib import Path

from edge.build.importers import uci
from edge.build.pipeline import build
from edge.build.spark.build import build_spark
from edge.build.spark.session import spark_session
from tests.build.spark.test_parity import UCI, UCI_UNTIL


def main() -> None:
    tmp = Path(tempfile.mkdtemp())
    source = tmp / "uci.csv.gz"
    with gzip.open(UCI, "rt", newline="") as src, gzip.open(source, "wt", newline="") as dst:
        rows = csv.reader(src)
        header = next(rows)
        date = header.index("InvoiceDate")
        out = csv.writer(dst)
        out.writerow(header)
        out.writerows(r for r in rows if r[date] < UCI_UNTIL)
    uci.write(source, tmp / "data")
    events, catalog = [tmp / "data" / "events.csv.gz"], tmp / "data" / "catalog.csv"
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
