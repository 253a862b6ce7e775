"""Settings and docs/configuration.md stay in step, and values parse as documented."""

from dataclasses import fields
from pathlib import Path

from edge.config import Settings

DOC = (Path(__file__).resolve().parent.parent / "docs" / "configuration.md").read_text()


def test_every_setting_has_its_row_with_its_environment_name_and_help():
    rows = [line for line in DOC.splitlines() if line.startswith("| `")]
    for f in fields(Settings):
        row = next((r for r in rows if r.startswith(f"| `{f.name}` | `SKYLT_{f.name.upper()}` |")), None)
        assert row is not None, f"docs/configuration.md has no row for {f.name}"
        assert f.metadata["help"] in row, f"the row of {f.name} does not say what its help says"
    assert len(rows) == len(fields(Settings)), "docs/configuration.md lists a setting that does not exist"


def test_gc_freeze_reads_false_from_the_environment(monkeypatch):
    assert Settings.load().gc_freeze is True
    monkeypatch.setenv("SKYLT_GC_FREEZE", "false")
    assert Settings.load().gc_freeze is False
