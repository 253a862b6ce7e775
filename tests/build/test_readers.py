from __future__ import annotations

import csv
import gzip
import io
import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from edge.build.frames import CATALOG_SCHEMA, EVENTS_SCHEMA, EventType
from edge.build.readers import read_catalog, read_events
from edge.errors import EmptyInputError, InputError

EVENTS = [
    {"ts": "2011-12-09T12:50:00Z", "type": "view", "item_id": "A", "session_id": "s1"},
    {"ts": "2011-12-09T12:51:00Z", "type": "CART", "item_id": "B", "session_id": "s1", "price": "2.5"},
    {"ts": "2011-12-09T12:52:00Z", "type": "purchase", "item_id": "B", "user_id": "u1", "order_id": "o1",
     "quantity": "3", "price": "2.5", "region": "DE", "segment": "b2b"},
]
T0 = 1323435000  # 2011-12-09T12:50:00Z


def write_csv(path: Path, rows: list[dict[str, Any]], header: list[str] | None = None) -> Path:
    header = header or list(dict.fromkeys(k for row in rows for k in row))
    buf = io.StringIO()
    w = csv.DictWriter(buf, header, lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    data = buf.getvalue().encode()
    path.write_bytes(gzip.compress(data) if path.suffix == ".gz" else data)
    return path


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    data = "".join(json.dumps(row) + "\n" for row in rows).encode()
    path.write_bytes(gzip.compress(data) if path.suffix == ".gz" else data)
    return path


def write_any(path: Path, rows: list[dict[str, Any]]) -> Path:
    if path.suffix == ".parquet":
        keys = list(dict.fromkeys(k for row in rows for k in row))
        pq.write_table(pa.table({k: [row.get(k) for row in rows] for k in keys}), path)
        return path
    if ".csv" in path.suffixes:
        return write_csv(path, rows)
    return write_jsonl(path, rows)


def raw(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def error(fn: Any, path: Path) -> InputError:
    with pytest.raises(InputError) as info:
        fn(path)
    return info.value


@pytest.mark.parametrize("name", ["events.csv", "events.csv.gz", "events.jsonl", "events.jsonl.gz",
                                  "events.ndjson", "events.parquet"])
def test_every_format_reads_the_same(tmp_path: Path, name: str) -> None:
    table = read_events(write_any(tmp_path / name, EVENTS))
    assert table.schema == EVENTS_SCHEMA
    assert table.to_pydict() == {
        "ts": [T0, T0 + 60, T0 + 120],
        "type": [EventType.VIEW, EventType.CART, EventType.PURCHASE],
        "item_id": ["A", "B", "B"],
        "session_id": ["s1", "s1", None],
        "user_id": [None, None, "u1"],
        "order_id": [None, None, "o1"],
        "quantity": [1.0, 1.0, 3.0],
        "price": [None, 2.5, 2.5],
        "region": [None, None, "DE"],
        "segment": [None, None, "b2b"],
    }


@pytest.mark.parametrize(("value", "expected"), [
    ("2011-12-09T12:50:00Z", T0),
    ("2011-12-09T12:50:00", T0),                 # naive means UTC
    ("2011-12-09 12:50:00", T0),                 # a space instead of the T
    ("2011-12-09 12:50", T0),
    ("2011-12-09T12:50:00.999Z", T0),            # fractions are floored
    ("2011-12-09T13:50:00+01:00", T0),
    ("2011-12-09T07:50:00-0500", T0),
    ("2011-12-09T13:50:00+01", T0),
    ("2011-12-09 12:50:00 UTC", T0),
    ("2011-12-09t12:50:00z", T0),
    ("2011-12-09", T0 - 12 * 3600 - 50 * 60),
    ("1323435000", T0),                          # Unix seconds
    ("1323435000.7", T0),
    ("1323435000123", T0),                       # Unix milliseconds (> 1e11)
])
def test_timestamp_forms(tmp_path: Path, value: str, expected: int) -> None:
    rows = [{"ts": value, "type": "view", "item_id": "A", "session_id": "s"}]
    assert read_events(write_csv(tmp_path / "e.csv", rows))["ts"].to_pylist() == [expected]
    assert read_events(write_jsonl(tmp_path / "e.jsonl", rows))["ts"].to_pylist() == [expected]


def test_mixed_timestamp_forms_in_one_column(tmp_path: Path) -> None:
    rows = [{"ts": v, "type": "view", "item_id": "A", "session_id": "s"}
            for v in ("2011-12-09 12:50:00", "1323435000", "2011-12-09T13:50:00+01:00", "1323435000000")]
    assert read_events(write_csv(tmp_path / "e.csv", rows))["ts"].to_pylist() == [T0] * 4


def test_json_numbers_and_strings_mixed(tmp_path: Path) -> None:
    rows = [{"ts": T0, "type": "view", "item_id": 17, "user_id": 5},
            {"ts": "2011-12-09T12:50:00Z", "type": "view", "item_id": "x", "user_id": "5", "price": 3}]
    table = read_events(write_jsonl(tmp_path / "e.jsonl", rows))
    assert table["ts"].to_pylist() == [T0, T0]
    assert table["item_id"].to_pylist() == ["17", "x"]
    assert table["user_id"].to_pylist() == ["5", "5"]


def test_parquet_typed_columns(tmp_path: Path) -> None:
    table = pa.table({
        "ts": pa.array([T0 * 1000, None], pa.timestamp("ms", "UTC")).fill_null(0),
        "type": ["view", "click"], "item_id": pa.array([1, 2], pa.int64()), "session_id": ["a", "a"],
        "quantity": pa.array([2, 1], pa.int32()),
    })
    pq.write_table(table, tmp_path / "e.parquet")
    out = read_events(tmp_path / "e.parquet")
    assert out["ts"].to_pylist() == [T0, 0]
    assert out["item_id"].to_pylist() == ["1", "2"]
    assert out["quantity"].to_pylist() == [2.0, 1.0]


def test_extra_columns_blank_lines_and_header_spelling(tmp_path: Path) -> None:
    path = raw(tmp_path / "e.csv", " TS ,Type,Item_ID,session_id,notes\n\n"
                                   "2011-12-09,view,A,s,\"a, b\"\n\n2011-12-09,view, B ,s,\n")
    table = read_events(path)
    assert table["item_id"].to_pylist() == ["A", "B"]
    assert table.column_names == EVENTS_SCHEMA.names


# -- errors ------------------------------------------------------------------------------

GOOD = "2011-12-09,view,A,s,,1,1.5"
HEADER = "ts,type,item_id,session_id,user_id,quantity,price"


@pytest.mark.parametrize(("bad", "field", "message"), [
    ("2011-13-45,view,A,s,,1,1.5", "ts", "cannot parse '2011-13-45' as a timestamp"),
    ("yesterday,view,A,s,,1,1.5", "ts", "cannot parse 'yesterday' as a timestamp"),
    (",view,A,s,,1,1.5", "ts", "missing"),
    ("2011-12-09,clicks,A,s,,1,1.5", "type", "unknown event type 'clicks'"),
    ("2011-12-09,,A,s,,1,1.5", "type", "missing"),
    ("2011-12-09,view,,s,,1,1.5", "item_id", "missing"),
    ("2011-12-09,view,  ,s,,1,1.5", "item_id", "missing"),
    ("2011-12-09,view,A,,,1,1.5", "session_id", "none of session_id, user_id, order_id"),
    ("2011-12-09,view,A,s,,two,1.5", "quantity", "cannot parse 'two' as a number"),
    ("2011-12-09,view,A,s,,-1,1.5", "quantity", "must not be negative"),
    ("2011-12-09,view,A,s,,1,1,50", None, "expected 7 fields"),
    ("2011-12-09,view,A,s,,1,abc", "price", "cannot parse 'abc' as a number"),
    ("2011-12-09,view,A,s,,1,-0.5", "price", "must not be negative, got '-0.5'"),
    ("2011-12-09,view,A,s,,1,nan", "price", "cannot parse 'nan' as a number"),
])
def test_csv_errors_name_file_line_and_field(tmp_path: Path, bad: str, field: str | None,
                                             message: str) -> None:
    # Header on line 1, data from line 2; the blank line 4 still counts.
    path = raw(tmp_path / "events.csv", "\n".join([HEADER, GOOD, GOOD, "", GOOD, bad, GOOD]) + "\n")
    err = error(read_events, path)
    assert (err.path, err.line, err.field) == (str(path), 6, field)
    assert message in err.message
    assert str(err).startswith(f"{path}: line 6: ")


def test_error_message_shape(tmp_path: Path) -> None:
    lines = [HEADER] + [GOOD] * 15 + ["2011-13-45,view,A,s,,1,1.5"]
    err = error(read_events, raw(tmp_path / "events.csv", "\n".join(lines) + "\n"))
    expected = "events.csv: line 17: field 'ts': cannot parse '2011-13-45' as a timestamp"
    assert err.one_line().endswith(expected)


def test_first_bad_row_wins_across_fields(tmp_path: Path) -> None:
    rows = [HEADER, GOOD, "2011-12-09,view,A,s,,1,-3", "bad-ts,view,A,s,,1,1"]
    err = error(read_events, raw(tmp_path / "events.csv", "\n".join(rows) + "\n"))
    assert (err.line, err.field) == (3, "price")


def test_line_numbers_count_quoted_newlines(tmp_path: Path) -> None:
    text = 'ts,type,item_id,session_id,notes\n2011-12-09,view,A,s,"two\nlines"\n2011-12-09,nope,A,s,\n'
    err = error(read_events, raw(tmp_path / "events.csv", text))
    assert (err.line, err.field) == (4, "type")


@pytest.mark.parametrize("suffix", [".jsonl", ".jsonl.gz"])
def test_jsonl_errors_name_the_object_line(tmp_path: Path, suffix: str) -> None:
    good = {"ts": T0, "type": "view", "item_id": "A", "session_id": "s"}
    text = json.dumps(good) + "\n\n" + json.dumps({**good, "ts": "2011-13-45"}) + "\n"
    path = tmp_path / f"events{suffix}"
    path.write_bytes(gzip.compress(text.encode()) if suffix.endswith(".gz") else text.encode())
    err = error(read_events, path)
    assert (err.line, err.field) == (3, "ts")
    assert "2011-13-45" in err.message


def test_jsonl_type_errors_in_typed_columns(tmp_path: Path) -> None:
    rows = [{"ts": T0, "type": "view", "item_id": "A", "session_id": "s", "price": 1.5},
            {"ts": T0, "type": "buy", "item_id": "A", "session_id": "s", "price": 1.5}]
    err = error(read_events, write_jsonl(tmp_path / "events.jsonl", rows))
    assert (err.line, err.field) == (2, "type")


def test_parquet_errors_name_the_row(tmp_path: Path) -> None:
    pq.write_table(pa.table({"ts": [T0, T0], "type": ["view", "view"], "item_id": ["A", None],
                             "session_id": ["s", "s"]}), tmp_path / "events.parquet")
    err = error(read_events, tmp_path / "events.parquet")
    assert (err.line, err.field) == (2, "item_id")


@pytest.mark.parametrize(("text", "message", "line"), [
    ('{"ts": 1, "type": "view", "item_id": "A", "session_id": "s"}\n{"ts": 2,\n', "not valid JSON", 2),
    ('{"ts": 1, "type": "view", "item_id": "A", "session_id": "s"}\n[1, 2]\n', "expected a JSON object", 2),
    ('{"ts": 1, "type": "view", "item_id": ["A"], "session_id": "s"}\n', "not a list or object", 1),
])
def test_invalid_json(tmp_path: Path, text: str, message: str, line: int) -> None:
    err = error(read_events, raw(tmp_path / "events.jsonl", text))
    assert message in err.message and err.line == line


@pytest.mark.parametrize(("name", "content", "message"), [
    ("events.csv.gz", b"ts,type\n", "not a valid gzip file"),
    ("events.parquet", b"PAR1 not really", "not a valid Parquet file"),
    ("events.csv", b"ts,type,item_id,session_id\n\xff\xfe,view,A,s\n", "not valid UTF-8"),
    ("events.txt", b"ts\n", "unsupported file type"),
])
def test_unreadable_files(tmp_path: Path, name: str, content: bytes, message: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    assert message in error(read_events, path).message


def test_missing_file(tmp_path: Path) -> None:
    assert error(read_events, tmp_path / "nope.csv").message == "no such file"


@pytest.mark.parametrize(("name", "content"), [
    ("events.csv", ""), ("events.csv", "ts,type,item_id,session_id\n"), ("events.jsonl", "\n\n"),
    ("events.csv.gz", ""),
])
def test_empty_files(tmp_path: Path, name: str, content: str) -> None:
    path = tmp_path / name
    path.write_bytes(gzip.compress(content.encode()) if name.endswith(".gz") else content.encode())
    with pytest.raises(EmptyInputError) as info:
        read_events(path)
    assert info.value.path == str(path)


@pytest.mark.parametrize(("header", "field"), [
    ("type,item_id,session_id", "ts"), ("ts,item_id,session_id", "type"), ("ts,type,session_id", "item_id"),
    ("ts,type,item_id,price", "session_id"),
])
def test_missing_required_column(tmp_path: Path, header: str, field: str) -> None:
    path = raw(tmp_path / "events.csv", header + "\n" + ",".join(["x"] * len(header.split(","))) + "\n")
    err = error(read_events, path)
    assert (err.field, err.line) == (field, 1)
    assert "missing required column" in err.message


# -- catalog -----------------------------------------------------------------------------

def test_catalog_columns_and_defaults(tmp_path: Path) -> None:
    text = ("item_id,title,price,in_stock,rating,review_count,margin,created_at,category,brand,url\n"
            "A,Mug,9.5,yes,4.5,12,0.3,2011-12-09,Kitchen > Mugs,Acme,https://shop/a\n"
            "B,,,No,,,,,,,\n"
            "C,Tin,1,,5,0,-1,1323435000,,,\n"
            "D,,,0,,,,,,,\n"
            "E,,,TRUE,,,,,,,\n")
    cat = read_catalog(raw(tmp_path / "catalog.csv", text))
    assert cat.schema == CATALOG_SCHEMA
    assert cat["item_id"].to_pylist() == ["A", "B", "C", "D", "E"]
    assert cat["in_stock"].to_pylist() == [True, False, True, False, True]
    assert cat["price"].to_pylist() == [9.5, None, 1.0, None, None]
    assert cat["review_count"].to_pylist() == [12, None, 0, None, None]
    assert cat["created_at"].to_pylist() == [T0 - 46200, None, T0, None, None]
    assert cat["category"].to_pylist()[0] == "Kitchen > Mugs"
    assert cat["margin"].to_pylist()[2] == -1.0


def test_catalog_duplicates_last_row_wins(tmp_path: Path) -> None:
    text = "item_id,title,price\nA,old,1\nB,b,2\nA,new,3\n"
    cat = read_catalog(raw(tmp_path / "catalog.csv", text))
    assert cat["item_id"].to_pylist() == ["B", "A"]
    assert cat["title"].to_pylist() == ["b", "new"]
    assert cat["price"].to_pylist() == [2.0, 3.0]


@pytest.mark.parametrize(("row", "field", "message"), [
    (",t,1,yes,4", "item_id", "missing"),
    ("A,t,-1,yes,4", "price", "must not be negative"),
    ("A,t,1,maybe,4", "in_stock", "cannot parse 'maybe' as true/false"),
    ("A,t,1,yes,5.5", "rating", "must be at most 5"),
    ("A,t,1,yes,-1", "rating", "must not be negative"),
])
def test_catalog_errors(tmp_path: Path, row: str, field: str, message: str) -> None:
    path = raw(tmp_path / "catalog.csv", f"item_id,title,price,in_stock,rating\nA,t,1,yes,4\n{row}\n")
    err = error(read_catalog, path)
    assert (err.line, err.field) == (3, field)
    assert message in err.message


def test_catalog_review_count_must_be_whole(tmp_path: Path) -> None:
    err = error(read_catalog, raw(tmp_path / "catalog.csv", "item_id,review_count\nA,2.5\n"))
    assert (err.line, err.field) == (2, "review_count") and "whole number" in err.message


@pytest.mark.parametrize("name", ["catalog.csv.gz", "catalog.jsonl", "catalog.parquet"])
def test_catalog_formats(tmp_path: Path, name: str) -> None:
    rows: list[dict[str, Any]] = [{"item_id": "A", "title": "Mug", "price": 2.0, "in_stock": False},
                                  {"item_id": "B"}]
    cat = read_catalog(write_any(tmp_path / name, rows))
    assert cat["item_id"].to_pylist() == ["A", "B"]
    assert cat["in_stock"].to_pylist() == [False, True]
    assert cat["price"].to_pylist() == [2.0, None]


def test_catalog_needs_item_id(tmp_path: Path) -> None:
    err = error(read_catalog, raw(tmp_path / "catalog.csv", "title\nMug\n"))
    assert (err.field, err.line) == ("item_id", 1)


@pytest.mark.parametrize(("link", "field"), [("javascript:alert(1)", "url"), ("vbscript:msgbox(1)", "image"),
                                             ("img/a.jpg", "image")])
def test_catalog_links_other_than_http_or_site_paths_name_file_line_and_field(tmp_path: Path, link: str,
                                                                              field: str) -> None:
    """Refused rather than dropped: nothing the shop sent vanishes without a word, and every http(s) URL and
    /path that built before still builds."""
    rows = ["item_id,title,url,image", "A,a,https://shop.example/a,//cdn.example/a.jpg", "B,b,/products/b,/b.jpg",
            "C,c,https://shop.example/c," + link if field == "image" else f"C,c,{link},"]
    err = error(read_catalog, raw(tmp_path / "catalog.csv", "\n".join(rows) + "\n"))
    assert (err.line, err.field) == (4, field)
    assert err.one_line().endswith(f"catalog.csv: line 4: field '{field}': only http(s) URLs and paths on the "
                                   f"shop's site (starting with '/') are served, not {link!r}")
    good = read_catalog(raw(tmp_path / "good.csv", "\n".join(rows[:3]) + "\n"))
    assert good["image"].to_pylist() == ["//cdn.example/a.jpg", "/b.jpg"]
