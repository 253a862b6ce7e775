import json
import os

from click.testing import CliRunner

from edge.cli import main
from edge.store import open_snapshot


def write(path, text):
    path.write_text(text)
    return path


def test_build_from_events_alone(tmp_path):
    events = write(tmp_path / "events.csv", "ts,type,item_id,session_id,order_id\n"
                   "2026-01-01T10:00:00Z,view,A,s1,\n2026-01-01T10:01:00Z,view,B,s1,\n"
                   "2026-01-01T10:02:00Z,purchase,A,s1,o1\n2026-01-01T10:02:00Z,purchase,B,s1,o1\n")
    result = CliRunner().invoke(main, ["build", "--events", str(events), "--out", str(tmp_path / "t"), "--quiet"])
    assert result.exit_code == 0, result.output
    with open_snapshot(tmp_path / "t") as snap:
        assert snap.n_items == 2
        assert snap.arrays["in_stock"].all()
        assert snap.manifest.inputs[0].rows == 4
        assert len(snap.manifest.inputs[0].sha256) == 64
        ids, _, counts = snap.neighbours("bought_together", snap.index_of("A"))
        assert [snap.external_id(int(i)) for i in ids] == ["B"] and counts.tolist() == [1]
        assert snap.render(snap.index_of("A")).startswith(b'"id":"A","title":null')


def test_bad_input_is_one_line_and_keeps_current(tmp_path):
    good = write(tmp_path / "good.csv", "ts,type,item_id,session_id\n1700000000,view,A,s\n1700000001,view,B,s\n")
    out = tmp_path / "t"
    assert CliRunner().invoke(main, ["build", "--events", str(good), "--out", str(out), "--quiet"]).exit_code == 0
    before = os.readlink(out / "current")
    bad = write(tmp_path / "bad.csv", "ts,type,item_id,session_id\n1700000000,view,A,s\nyesterday,view,B,s\n")
    result = CliRunner().invoke(main, ["build", "--events", str(bad), "--out", str(out), "--quiet"])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert "bad.csv" in lines[0] and "line 3" in lines[0] and "'ts'" in lines[0]
    assert os.readlink(out / "current") == before


def test_evaluate_writes_json(tmp_path):
    from edge.build.demo import demo_files

    events, catalog = demo_files()
    out = tmp_path / "report.json"
    result = CliRunner().invoke(main, ["evaluate", "--events", str(events[0]), "--catalog", str(catalog),
                                       "--max-cases", "500", "--json", str(out)])
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text())
    assert set(report["protocols"]) == {"next_item", "basket"}
    assert "HR@10" in result.output


def test_import_otto_writes_skylt_events(tmp_path):
    import gzip

    import pytest

    from tests.conftest import DATASETS

    sample = DATASETS / "otto_sample" / "train_first20_sessions.jsonl"
    if not sample.exists():
        pytest.skip("the OTTO sample is not beside the project")
    result = CliRunner().invoke(main, ["import", "otto", str(sample), "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    with gzip.open(tmp_path / "events.csv.gz", "rt") as fh:
        assert sum(1 for _ in fh) == 862 + 1  # every event and the header


def test_serve_names_an_unknown_server_in_one_line_and_starts_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("SKYLT_TABLES", str(tmp_path))  # serve sets it for its workers; restored after the test
    monkeypatch.setenv("SKYLT_SERVER", "nginx")
    result = CliRunner().invoke(main, ["serve", "--tables", str(tmp_path)])
    assert result.exit_code == 1
    assert result.output.strip() == "skylt: error: setting server: 'nginx' is not one of uvicorn, granian"
    refused = CliRunner().invoke(main, ["serve", "--tables", str(tmp_path), "--server", "hypercorn"])
    assert refused.exit_code == 2 and "'hypercorn' is not one of 'uvicorn', 'granian'" in refused.output


def test_build_tunes_unless_told_not_to(tmp_path, monkeypatch):
    from edge.build.demo import demo_files
    from edge.evaluate import tune

    monkeypatch.setattr(tune, "MIN_BUDGET", 600.0)  # a busy machine must not leave the search without time

    (events,), catalog = demo_files()
    base = ["build", "--events", str(events), "--catalog", str(catalog), "--quiet"]
    tuned = CliRunner().invoke(main, [*base, "--out", str(tmp_path / "tuned")])
    assert tuned.exit_code == 0, tuned.output
    assert "tuned" in tuned.output
    plain = CliRunner().invoke(main, [*base, "--out", str(tmp_path / "plain"), "--no-tune"])
    assert plain.exit_code == 0, plain.output
    with open_snapshot(tmp_path / "tuned") as snap:
        assert snap.manifest.tune is not None and snap.manifest.tune.validation["basket_cases"] >= 200
    with open_snapshot(tmp_path / "plain") as snap:
        assert snap.manifest.tune is None
