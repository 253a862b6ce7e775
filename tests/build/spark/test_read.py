"""Bad input stops a Spark build with the single-node builder's one-line error."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from edge.build.pipeline import build
from edge.build.spark.build import build_spark
from edge.errors import InputError

GOOD = "ts,type,item_id,session_id\n1700000000,view,A,s1\n1700000010,view,B,s1\n"


def _same_error(spark: Any, path: Path, tmp_path: Path) -> str:
    with pytest.raises(InputError) as single:
        build([path], tmp_path / "single")
    with pytest.raises(InputError) as on_spark:
        build_spark([path], tmp_path / "spark", spark=spark)
    assert on_spark.value.one_line() == single.value.one_line()
    assert not (tmp_path / "spark").exists()
    return on_spark.value.one_line()


def test_bad_value_names_file_line_and_field(spark: Any, tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    path.write_text(GOOD + "1700000020,view,C,s1\nyesterday,view,D,s2\n")
    message = _same_error(spark, path, tmp_path)
    assert message.startswith(f"{path}: line 5: field 'ts': ")


def test_missing_column_is_caught_before_any_job(spark: Any, tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    path.write_text("ts,type,session_id\n1700000000,view,s1\n")
    assert _same_error(spark, path, tmp_path) == f"{path}: line 1: field 'item_id': missing required column"


def test_browser_purchases_are_not_counted(spark: Any, tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    path.write_text("ts,type,item_id,order_id,source\n1700000000,purchase,A,o1,server\n"
                    "1700000001,purchase,B,o1,browser\n1700000002,purchase,C,o2,\n")
    result = build_spark([path], tmp_path / "spark", spark=spark)
    assert result.manifest.n_events == 2 and result.manifest.inputs[0].rows == 2
    assert result.manifest.counts["events_purchase"] == 2 and result.manifest.n_items == 2
