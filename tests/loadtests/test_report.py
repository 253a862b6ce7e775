"""Percentiles, error accounting and the report shape on known inputs."""

import json

from loadtests import report, wrkrun
from loadtests.histogram import Recorder


def test_percentiles_of_known_latencies():
    rec = Recorder()
    for ms in range(1, 1001):          # 1 ms .. 1000 ms, once each
        rec.ok("product", ms / 1000)
    rep = report.build(rec, seconds=10.0)
    overall = rep["overall"]
    # HDR keeps three significant figures: each value within 0.1 %.
    for key, expected in (("p50_ms", 500), ("p95_ms", 950), ("p99_ms", 990), ("p99_9_ms", 999)):
        assert abs(overall[key] - expected) <= expected * 0.001, (key, overall[key])
    assert overall["count"] == 1000 and overall["max_ms"] >= 999
    assert rep["rps"] == 100.0 and rep["pages"]["product"]["rps"] == 100.0


def test_errors_are_counted_by_kind_and_page_and_kept_out_of_latencies():
    rec = Recorder()
    rec.ok("home", 0.002)
    rec.error("home", "http_503")
    rec.error("cart", "timeout")
    rec.error("cart", "timeout")
    rep = report.build(rec, seconds=1.0)
    assert rep["requests"] == 4 and rep["ok"] == 1 and rep["failed"] == 3
    assert rep["errors"] == {"http_503": 1, "timeout": 2}
    assert rep["pages"]["cart"] == {"count": 0, "errors": {"timeout": 2}, "rps": 0.0}
    assert rep["overall"]["count"] == 1
    json.dumps(rep)  # JSON-ready as is
    assert "cart" in report.table(rep) and "3 failed" in report.table(rep)


def test_merged_recorders_add_up():
    a, b = Recorder(), Recorder()
    a.ok("product", 0.001)
    b.ok("product", 0.003)
    b.error("product", "connection")
    a.merge(b)
    assert a.pages["product"].get_total_count() == 2 and a.errors == {"connection": 1}


def test_wrk_summary_line_is_parsed():
    out = ("Running 2s test @ http://127.0.0.1:1\n"
           'SKYLT_JSON {"requests": 3000, "duration_us": 2000000, "bytes": 10, "errors": {"connect": 0, '
           '"read": 1, "write": 0, "status": 2, "timeout": 0}, "latency_ms": {"50": 1.5, "99": 4.0, "99.9": 9.0}}\n')
    r = wrkrun.parse(out)
    assert r["rps"] == 1500.0 and r["failed"] == 3 and r["latency_ms"]["99.9"] == 9.0
