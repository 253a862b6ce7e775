"""The Spark session of a build.

Local mode (the default and the tests) binds to loopback only: ``SPARK_LOCAL_IP`` is set
before the JVM starts, the driver's host and bind address are 127.0.0.1 and the UI is off.
Without ``spark.driver.host`` Spark advertises a non-loopback address of the machine. With
``--spark-master`` the cluster's own settings (spark-defaults.conf, ``spark-submit``) apply.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

from edge.errors import MissingExtraError

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

DEFAULT_MASTER = "local[2]"
LOOPBACK = "127.0.0.1"

# Settings forced in local mode; one shuffle partition per core of local[2]: local inputs are small.
LOCAL_CONF = {
    "spark.driver.host": LOOPBACK,
    "spark.driver.bindAddress": LOOPBACK,
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.shuffle.partitions": "2",
    "spark.default.parallelism": "2",
    "spark.sql.adaptive.enabled": "true",
}
# Settings every build uses: timestamps are Unix seconds, never local time.
COMMON_CONF = {
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.execution.arrow.maxRecordsPerBatch": "65536",
}


def require_pyspark() -> None:
    try:
        import pyspark  # noqa: F401
    except ImportError:
        raise MissingExtraError("the Spark engine needs pyspark: pip install 'skylt[spark]'") from None


def is_local(master: str | None) -> bool:
    return master is None or master == "local" or master.startswith("local[")


def spark_session(master: str | None = None, app_name: str = "skylt-build") -> SparkSession:
    """A session for ``master`` (default ``local[2]``), loopback-only when local."""
    require_pyspark()
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName(app_name)
    if is_local(master):
        # Read by the JVM at start-up (and by Python workers): must be set before it starts.
        os.environ["SPARK_LOCAL_IP"] = LOOPBACK
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        builder = builder.master(master or DEFAULT_MASTER)
        for key, value in LOCAL_CONF.items():
            builder = builder.config(key, value)
    else:
        builder = builder.master(master)  # type: ignore[arg-type]
    for key, value in COMMON_CONF.items():
        builder = builder.config(key, value)
    try:
        session = builder.getOrCreate()
    except Exception as exc:  # the JVM did not start: nearly always Java missing or too old
        raise MissingExtraError(f"could not start Spark ({type(exc).__name__}): is Java 17 or newer installed "
                                "(java -version, JAVA_HOME)?") from exc
    # A failed task logs its traceback at ERROR; the builder reports it as one line itself.
    session.sparkContext.setLogLevel("FATAL" if is_local(master) else "ERROR")
    return session
