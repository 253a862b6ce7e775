"""Read events and catalogs with Spark, converting values with the single-node parsers.

Spark reads the files (CSV, JSON Lines, Parquet, optionally gzipped text; local paths or
any filesystem URL the session is configured for); each batch then goes through the same
``edge.build.readers`` conversions as the single-node builder (``mapInArrow``), so a value
means the same thing to both engines. Rows keep their input order in ``seq``: files in the
order given, rows in file order (Spark lists a file's splits in offset order).

A bad value fails the job naming the file and field; line numbers are not known on
executors, so for local files ``explain_failure`` re-reads them with the single-node reader,
which names the exact line.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.compute as pc

from edge.build.frames import CATALOG_SCHEMA, EVENTS_SCHEMA
from edge.build.readers import (
    EVENT_COLUMNS,
    ID_COLUMNS,
    REQUIRED_EVENT_COLUMNS,
    Columns,
    parse_catalog,
    parse_events,
    read_catalog,
    read_events,
)
from edge.build.sources import RawTable, file_format, norm
from edge.errors import EmptyInputError, InputError

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

# Spark's type for each column of EVENTS_SCHEMA, in order; ``seq`` is added after parsing.
EVENTS_DDL = ("ts long, type byte, item_id string, session_id string, user_id string, order_id string, "
              "quantity double, price double, region string, segment string")


def is_local_path(path: str | Path) -> bool:
    text = str(path)
    return "://" not in text or text.startswith("file://")


def _raw(spark: SparkSession, path: str, wanted: Sequence[str], required: Sequence[str], *,
         multiline: bool = False) -> DataFrame:
    kind, _gz = file_format(Path(path))
    if kind == "csv":
        # RFC 4180 quoting (a quote inside a quoted field is doubled), as the single-node reader. A quoted
        # newline needs multiLine, which reads a file as one split: only for catalogs, whose titles may hold one.
        df = spark.read.options(header=True, escape='"', inferSchema=False, encoding="UTF-8",
                                multiLine=multiline).csv(path)
    elif kind == "jsonl":
        df = spark.read.json(path)
    else:
        df = spark.read.parquet(path)
    picked: dict[str, str] = {}
    for name in df.columns:
        picked.setdefault(norm(name.lstrip("\ufeff")), name)
    header = 1 if kind == "csv" else None
    for name in required:
        if name not in picked:
            raise InputError("missing required column", path=path, line=header, field=name)
    from pyspark.sql import functions as F

    return df.select(*[F.col(f"`{picked[n]}`").alias(n) for n in wanted if n in picked])


def _columns(path: str, table: pa.Table) -> Columns:
    return Columns(RawTable(path, table, table.num_rows, lambda _row: None, None))


def _event_batches(path: str) -> Callable[[Iterator[pa.RecordBatch]], Iterator[pa.RecordBatch]]:
    def convert(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            table, trusted = parse_events(_columns(path, pa.Table.from_batches([batch])))
            if trusted is not None:
                table = table.filter(trusted)
            yield from table.cast(EVENTS_SCHEMA).to_batches()
    return convert


def read_events_df(spark: SparkSession, paths: Sequence[str | Path]) -> DataFrame:
    """All events of ``paths`` in EVENTS_SCHEMA plus ``file`` (index into ``paths``) and ``seq``
    (input order), browser rows dropped."""
    from pyspark.sql import functions as F

    frames = []
    for index, path in enumerate(map(str, paths)):
        raw = _raw(spark, path, EVENT_COLUMNS, REQUIRED_EVENT_COLUMNS)
        if not any(c in raw.columns for c in ID_COLUMNS):
            raise InputError("missing required column: one of session_id, user_id, order_id is needed",
                             path=path, line=1 if file_format(Path(path))[0] == "csv" else None,
                             field="session_id")
        frames.append(raw.mapInArrow(_event_batches(path), EVENTS_DDL).withColumn("file", F.lit(index)))
    if not frames:
        raise InputError("no events files given")
    union = frames[0]
    for frame in frames[1:]:
        union = union.unionByName(frame)
    # Partitions of a union come in the order of its parts, so these ids follow the input order.
    return union.withColumn("seq", F.monotonically_increasing_id())


def read_catalog_table(spark: SparkSession, path: str | Path) -> pa.Table:
    """The catalog as ``read_catalog`` returns it, read by Spark and converted on the driver."""
    from pyspark.sql import functions as F

    raw = _raw(spark, str(path), CATALOG_SCHEMA.names, ("item_id",), multiline=True)
    raw = raw.withColumn("_seq", F.monotonically_increasing_id())
    table = raw.toArrow()
    if table.num_rows == 0:
        raise EmptyInputError("no data rows", path=str(path))
    table = table.take(pc.sort_indices(table["_seq"])).drop(["_seq"])
    return parse_catalog(_columns(str(path), table))


_REMOTE_ERROR = re.compile(r"(?:edge\.errors\.)?(?:Empty)?InputError: (.+)")


def explain_failure(exc: BaseException, events: Sequence[str | Path], catalog: str | Path | None) -> None:
    """Turn a failed Spark job into the single-node builder's one-line error where possible:
    local files are re-read by the single-node reader (which names file, line and field);
    otherwise the converter's message is lifted from the executor's traceback."""
    for path in events:
        if is_local_path(path):
            read_events(str(path).removeprefix("file://"))
    if catalog is not None and is_local_path(catalog):
        read_catalog(str(catalog).removeprefix("file://"))
    found = _REMOTE_ERROR.findall(str(exc))
    if found:
        raise InputError(found[-1].strip()) from None
