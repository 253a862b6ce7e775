"""One local Spark session for every test of the Spark engine: the JVM takes seconds to start."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from tests.requires import missing


def require_spark() -> None:
    import shutil
    from importlib.util import find_spec

    if find_spec("pyspark") is None:
        missing("pyspark", "pip install -e '.[spark]'")
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        missing("Java", "apt-get install openjdk-17-jre-headless")


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    require_spark()
    from edge.build.spark.session import spark_session

    session = spark_session()  # exactly what `skylt build --engine spark` starts
    try:
        yield session
    finally:
        session.stop()
