"""One local Spark session for every test of the Spark engine: the JVM takes seconds to start."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    pytest.importorskip("pyspark", reason="the spark extra is not installed")
    from edge.build.spark.session import spark_session

    session = spark_session()  # exactly what `skylt build --engine spark` starts
    try:
        yield session
    finally:
        session.stop()
