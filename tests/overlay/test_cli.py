from click.testing import CliRunner

from edge.cli import main
from edge.overlay import ItemUpdate, OverlayStore


def test_status_and_clear(tmp_path):
    path = tmp_path / "overlay"
    runner = CliRunner()
    assert "no catalog overlay" in runner.invoke(main, ["overlay", "clear", "--dir", str(path)]).output
    assert not path.exists()
    store = OverlayStore(path)
    store.upsert([ItemUpdate(id="a", in_stock=False), ItemUpdate(id="b", price=1.0)])
    store.close()
    status = runner.invoke(main, ["overlay", "status", "--dir", str(path)])
    assert status.exit_code == 0 and "generation 1, 2 items overridden, 1 hidden" in status.output
    cleared = runner.invoke(main, ["overlay", "clear", "--dir", str(path)])
    assert cleared.exit_code == 0 and "cleared 2 overrides (generation 2)" in cleared.output
    store = OverlayStore(path, create=False)
    assert store.load() == (2, {})
    store.close()
