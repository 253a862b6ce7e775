"""The local session binds to loopback only, and a missing pyspark is one clear line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from edge.build.spark.session import LOOPBACK, spark_session
from edge.cli import main

from .conftest import require_spark


def _listening(pid: int) -> list[str]:
    """Local addresses of the TCP sockets process ``pid`` listens on (hex, as /proc/net/tcp has them)."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    found = []
    for table in ("tcp", "tcp6"):
        for line in Path(f"/proc/{pid}/net/{table}").read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A" and fields[9] in inodes:  # 0A: LISTEN
                found.append(fields[1].split(":")[0])
    return found


def test_local_session_binds_to_loopback_only_with_the_ui_off(spark: Any) -> None:
    conf = spark.sparkContext.getConf()
    assert os.environ["SPARK_LOCAL_IP"] == LOOPBACK
    assert conf.get("spark.driver.host") == LOOPBACK
    assert conf.get("spark.driver.bindAddress") == LOOPBACK
    assert conf.get("spark.ui.enabled") == "false" and spark.sparkContext.uiWebUrl is None
    assert spark.sparkContext.master == "local[2]"
    assert int(conf.get("spark.sql.shuffle.partitions")) <= 4
    # What the JVM actually listens on: 127.0.0.1 (or its IPv6-mapped form), never a wildcard or the LAN.
    addresses = _listening(spark.sparkContext._gateway.proc.pid)
    assert addresses, "the driver should listen somewhere (its RPC endpoint)"
    assert set(addresses) <= {"0100007F", "0000000000000000FFFF00000100007F"}, addresses
    assert spark_session() is spark  # the builder reuses the running session


def test_missing_pyspark_is_one_line(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setitem(sys.modules, "pyspark", None)  # import pyspark now raises ImportError
    events = tmp_path / "events.csv"
    events.write_text("ts,type,item_id,session_id\n1700000000,view,A,s1\n")
    result = CliRunner().invoke(main, ["build", "--engine", "spark", "--events", str(events),
                                       "--out", str(tmp_path / "tables"), "--quiet"])
    assert result.exit_code == 1
    assert result.output == "skylt: error: the Spark engine needs pyspark: pip install 'skylt[spark]'\n"
    assert not (tmp_path / "tables").exists()


def test_spark_master_needs_the_spark_engine(tmp_path: Path) -> None:
    events = tmp_path / "events.csv"
    events.write_text("ts,type,item_id,session_id\n1700000000,view,A,s1\n")
    result = CliRunner().invoke(main, ["build", "--spark-master", "local[1]", "--events", str(events),
                                       "--out", str(tmp_path / "tables")])
    assert result.exit_code == 2 and "--spark-master needs --engine spark" in result.output


def test_no_java_is_a_clear_error(tmp_path: Path) -> None:
    require_spark()
    events = tmp_path / "events.csv"
    events.write_text("ts,type,item_id,session_id\n1700000000,view,A,s1\n")
    env = {**os.environ, "JAVA_HOME": str(tmp_path / "no-java"), "PYTHONPATH": str(Path(__file__).parents[3])}
    result = subprocess.run([sys.executable, "-m", "edge", "build", "--engine", "spark", "--events", str(events),
                             "--out", str(tmp_path / "tables"), "--quiet"], env=env, capture_output=True, text=True,
                            timeout=120, check=False)
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1].startswith("skylt: error: could not start Spark (")
    assert "is Java 17 or newer installed" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "tables").exists()
