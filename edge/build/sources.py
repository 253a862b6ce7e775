"""Raw reading of CSV, JSON Lines and Parquet files (optionally gzipped text) into pyarrow.

``load`` returns only the columns the caller knows, under normalised names (trimmed,
lower-case), plus a way to name the file line of any row. Line lookup re-scans the file
and so runs only when there is an error to report.
"""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec
import pyarrow as pa
import pyarrow.csv as pcsv
import pyarrow.json as pjson
import pyarrow.parquet as pq

from edge.errors import EmptyInputError, InputError

SUFFIXES = ".csv, .csv.gz, .jsonl, .jsonl.gz, .ndjson, .ndjson.gz, .parquet"


@dataclass(frozen=True)
class RawTable:
    path: str
    table: pa.Table
    rows: int
    line_of: Callable[[int], int | None]  # 0-based row -> 1-based line in the file (None: unknown)
    header_line: int | None         # where a missing column is reported (CSV: 1)


def norm(name: str) -> str:
    return name.strip().lower()


def file_format(path: Path) -> tuple[str, bool]:
    """("csv" | "jsonl" | "parquet", gzipped) from the file name."""
    suffixes = [s.lower() for s in path.suffixes]
    gz = bool(suffixes) and suffixes[-1] == ".gz"
    ext = suffixes[-2 if gz else -1] if len(suffixes) > gz else ""
    kind = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet"}.get(ext)
    if kind is None or (gz and kind == "parquet"):
        raise InputError(f"unsupported file type; expected one of {SUFFIXES}", path=str(path))
    return kind, gz


def load(path: str | Path, wanted: Collection[str]) -> RawTable:
    p = Path(path)
    if not p.is_file():
        raise InputError("no such file", path=str(path))
    kind, gz = file_format(p)
    try:
        if kind == "csv":
            return _csv(p, str(path), gz, wanted)
        if kind == "jsonl":
            return _jsonl(p, str(path), gz, wanted)
        return _parquet(p, str(path), wanted)
    except (gzip.BadGzipFile, EOFError) as exc:
        raise InputError(f"not a valid gzip file ({exc})", path=str(path)) from None
    except UnicodeDecodeError:
        raise InputError("not valid UTF-8 text", path=str(path)) from None
    except csv.Error as exc:
        raise InputError(f"not a valid CSV file ({exc})", path=str(path)) from None


def _pick(names: list[str], wanted: Collection[str]) -> dict[str, str]:
    """Normalised name -> name in the file, first occurrence winning."""
    picked: dict[str, str] = {}
    for name in names:
        if norm(name) in wanted:
            picked.setdefault(norm(name), name)
    return picked


@contextmanager
def _open(path: Path, gz: bool, mode: str = "rt") -> Iterator[Any]:
    with gzip.open(path, "rb") if gz else open(path, "rb") as fb:
        if mode == "rb":
            yield fb
        else:
            with io.TextIOWrapper(fb, encoding="utf-8-sig", newline="") as ft:
                yield ft


# -- CSV ----------------------------------------------------------------------------------

def _csv(path: Path, name: str, gz: bool, wanted: Collection[str]) -> RawTable:
    with _open(path, gz) as f:
        header = next(csv.reader(f), None)
    if not header:
        raise EmptyInputError("file is empty", path=name)
    picked = _pick(header, wanted)
    # With no known column, still read the first one to count the rows.
    include = list(picked.values()) or [header[0]]
    try:
        table = pcsv.read_csv(
            path,
            read_options=pcsv.ReadOptions(use_threads=True, block_size=1 << 24),
            parse_options=pcsv.ParseOptions(newlines_in_values=True),
            convert_options=pcsv.ConvertOptions(
                column_types={raw: pa.string() for raw in include},
                include_columns=include,
                strings_can_be_null=True, quoted_strings_can_be_null=True, null_values=[""]),
        )
    except (pa.ArrowInvalid, OSError) as exc:
        raise _csv_problem(path, name, gz, len(header), exc) from None
    rows = table.num_rows
    table = table.select(list(picked.values())).rename_columns(list(picked))
    return RawTable(name, table, rows, _csv_line_finder(path, gz), 1)


def _records(path: Path, gz: bool) -> Iterator[tuple[int, list[str]]]:
    """(first line, fields) of every non-blank data record, the way pyarrow counts them."""
    with _open(path, gz) as f:
        reader = csv.reader(f)
        next(reader, None)
        start = reader.line_num + 1
        for rec in reader:
            if rec:
                yield start, rec
            start = reader.line_num + 1


def _csv_line_finder(path: Path, gz: bool) -> Callable[[int], int]:
    def line_of(row: int) -> int:
        try:
            for i, (line, _) in enumerate(_records(path, gz)):
                if i == row:
                    return line
        except csv.Error:
            pass  # a record the csv module refuses (e.g. a huge field): count as if one line each
        return row + 2
    return line_of


def _csv_problem(path: Path, name: str, gz: bool, width: int, exc: Exception) -> InputError:
    try:
        for line, rec in _records(path, gz):
            if len(rec) != width:
                return InputError(f"expected {width} fields as in the header, found {len(rec)}",
                                  path=name, line=line)
    except csv.Error as err:
        return InputError(f"not a valid CSV file ({err})", path=name)
    except UnicodeDecodeError:
        return InputError("not valid UTF-8 text", path=name)
    detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return InputError(f"not a valid CSV file ({detail})", path=name)


# -- JSON Lines ---------------------------------------------------------------------------

def _jsonl(path: Path, name: str, gz: bool, wanted: Collection[str]) -> RawTable:
    try:
        table = pjson.read_json(path, read_options=pjson.ReadOptions(use_threads=True, block_size=1 << 24))
    except (pa.ArrowInvalid, OSError):
        table = None  # mixed types, bad JSON, ...: the line-by-line reader says exactly where
    if table is not None:
        picked = _pick(table.column_names, wanted)
        cols = [table[raw] for raw in picked.values()]
        if not any(pa.types.is_nested(c.type) for c in cols):
            return RawTable(name, pa.table(dict(zip(picked, cols, strict=True))), table.num_rows,
                            _json_line_finder(path, gz), None)
    return _jsonl_slow(path, name, gz, wanted)


def _json_line_finder(path: Path, gz: bool) -> Callable[[int], int]:
    def line_of(row: int) -> int:
        i = -1
        with _open(path, gz, "rb") as f:
            for lineno, line in enumerate(f, 1):
                if line.strip():
                    i += 1
                    if i == row:
                        return lineno
        return row + 1
    return line_of


def _scalar(value: object, name: str, field: str, lineno: int) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    raise InputError("expected a single value, not a list or object", path=name, line=lineno, field=field)


def _jsonl_slow(path: Path, name: str, gz: bool, wanted: Collection[str]) -> RawTable:
    cols: dict[str, list[str | None]] = {w: [] for w in wanted}
    seen: set[str] = set()
    lines: list[int] = []
    with _open(path, gz, "rb") as f:
        for lineno, line in enumerate(f, 1):
            if lineno == 1:
                line = line.removeprefix(b"\xef\xbb\xbf")
            if not line.strip():
                continue
            try:
                obj = msgspec.json.decode(line)
            except msgspec.DecodeError as exc:
                raise InputError(f"not valid JSON ({exc})", path=name, line=lineno) from None
            if not isinstance(obj, dict):
                raise InputError("expected a JSON object", path=name, line=lineno)
            fields = {norm(k): obj[k] for k in reversed(obj)}  # first spelling wins
            seen.update(k for k in fields if k in cols)
            for w, values in cols.items():
                values.append(_scalar(fields.get(w), name, w, lineno))
            lines.append(lineno)
    table = pa.table({w: pa.array(v, pa.string()) for w, v in cols.items() if w in seen})
    return RawTable(name, table, len(lines), lambda row: lines[row], None)


# -- Parquet ------------------------------------------------------------------------------

def _parquet(path: Path, name: str, wanted: Collection[str]) -> RawTable:
    try:
        pf = pq.ParquetFile(path)
        picked = _pick(pf.schema_arrow.names, wanted)
        table = pf.read(columns=list(picked.values()), use_threads=True)
    except (pa.ArrowInvalid, OSError) as exc:
        raise InputError(f"not a valid Parquet file ({exc})", path=name) from None
    table = table.select(list(picked.values())).rename_columns(list(picked))
    # Parquet has no lines; the 1-based row number stands in for one.
    return RawTable(name, table, pf.metadata.num_rows, lambda row: row + 1, None)
