"""``skylt report`` over a real log directory: JSON and table output, --since, torn and erased lines."""

import json

from click.testing import CliRunner

from edge.cli import main
from edge.report.load import parse_since

IMPRESSIONS = [
    {"ts": 1_790_000_000, "type": "impression", "request_id": "r1", "slot": "similar", "page": "product",
     "bucket": "personalized", "items": ["A", "B"], "session_id": "s1"},
    {"ts": 1_790_000_100, "type": "impression", "request_id": "r2", "slot": "similar", "page": "product",
     "bucket": "control", "items": ["C"], "session_id": "s2"},
]
EVENTS = [
    {"ts": 1_790_000_010, "type": "click", "item_id": "A", "session_id": "s1", "request_id": "r1", "slot": "similar"},
    {"ts": 1_790_000_020, "type": "purchase", "item_id": "A", "session_id": "s1", "order_id": "o1",
     "request_id": "r1", "slot": "similar"},
]


def write_log(folder):
    folder.mkdir()
    (folder / "impressions-20260101T000000000000Z-1-000001.jsonl").write_text(
        "".join(json.dumps(x) + "\n" for x in IMPRESSIONS))
    (folder / "events-20260101T000000000000Z-1-000001.jsonl").write_text(
        "".join(json.dumps(x) + "\n" for x in EVENTS) + " " * 20 + "\n" + '{"ts": 17900')


def test_json_report(tmp_path):
    write_log(tmp_path / "log")
    result = CliRunner().invoke(main, ["report", "--events-dir", str(tmp_path / "log"), "--json",
                                         "--control-share", "0.5"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert (report["impressions"], report["clicks"], report["events"]) == (2, 1, 2)
    [row] = report["slots"]
    assert (row["page"], row["slot"], row["impressions"], row["ctr"]["hits"], row["purchases"]) == \
        ("product", "similar", 2, 1, 1)
    by = {b["bucket"]: b for b in report["buckets"]}
    assert by["personalized"]["purchase_rate"]["rate"] == 1.0 and by["control"]["purchase_rate"]["rate"] == 0.0
    assert report["lift"]["purchase_rate"]["diff"] == 1.0


def test_since_and_the_table(tmp_path):
    write_log(tmp_path / "log")
    result = CliRunner().invoke(main, ["report", "--events-dir", str(tmp_path / "log"), "--since", "1790000050"])
    assert result.exit_code == 0, result.output
    assert "1 impressions, 0 clicks, 0 events" in result.output
    assert "│ control" in result.output and "│ personalized" not in result.output
    assert "needs shoppers in both" in result.output
    bad = CliRunner().invoke(main, ["report", "--events-dir", str(tmp_path / "log"), "--since", "soon"])
    assert bad.exit_code == 2 and "--since" in bad.output


def test_since_forms():
    assert parse_since("7d", 1_000_000) == 1_000_000 - 7 * 86400
    assert parse_since("24h", 1_000_000) == 1_000_000 - 86400
    assert parse_since("2026-01-01", 0) == parse_since("2026-01-01T00:00:00Z", 0) == 1767225600
    assert parse_since(None, 0) is None
