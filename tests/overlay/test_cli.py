from click.testing import CliRunner

from edge.cli import main
from edge.overlay import ItemUpdate, OverlayStore
from edge.rules.schemas import Exclude, Pin, encode


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
    assert "0 merchandising rules" in status.output
    cleared = runner.invoke(main, ["overlay", "clear", "--dir", str(path)])
    assert cleared.exit_code == 0 and "cleared 2 overrides (generation 2)" in cleared.output
    store = OverlayStore(path, create=False)
    assert store.load() == (2, {})
    store.close()


def test_status_lists_the_merchandising_rules(tmp_path):
    path = tmp_path / "overlay"
    store = OverlayStore(path)
    store.upsert([ItemUpdate(id="a", price=2.0)])
    rules = [Pin(id="hero", page="product", slot="similar", item="a", position=1),
             Exclude(id="no-gift-cards", page="cart", category="Gift cards")]
    generation = store.put_rules(encode(rules))
    store.close()
    status = CliRunner().invoke(main, ["overlay", "status", "--dir", str(path)])
    assert status.exit_code == 0, status.output
    lines = status.output.splitlines()
    assert lines[1:] == [f"2 merchandising rules (generation {generation})",
                         "  hero: pin on product/similar", "  no-gift-cards: exclude on cart/*"]
