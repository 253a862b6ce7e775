"""The catalog overlay in Redis: what one store writes, another reads, with the generation moving in step."""

from __future__ import annotations

from edge.overlay.schemas import ItemUpdate, Override
from edge.shared.client import SharedState
from edge.shared.overlay import SharedOverlayStore


def test_writes_through_one_store_are_loaded_by_another(redis_server):
    one, two = (SharedOverlayStore(SharedState(redis_server.url)) for _ in range(2))
    assert two.load() == (0, {})
    first = one.upsert([ItemUpdate(id="a", price=9.5), ItemUpdate(id="b", in_stock=False)])
    assert one.upsert([ItemUpdate(id="a", in_stock=True)]) == first + 1  # merged with what is stored
    assert two.generation() == first + 1
    generation, items = two.load()
    assert generation == first + 1
    assert items["a"] == Override().merged(ItemUpdate(id="a", price=9.5)).merged(ItemUpdate(id="a", in_stock=True))
    assert items["b"].in_stock is False
    assert two.delete("c") == first + 2 and one.load()[1]["c"].deleted
    assert one.clear() == first + 3 and two.load() == (first + 3, {})


def test_a_store_that_lost_its_data_never_repeats_a_generation(tmp_path):
    # Workers skip reloading at a generation they applied, and the shared price file only moves forward.
    from tests.redis_server import RedisServer

    server = RedisServer(tmp_path / "redis")
    try:
        before = SharedOverlayStore(SharedState(server.url)).upsert([ItemUpdate(id="a", price=1.0)])
        server.stop()
    finally:
        server.stop()
    again = RedisServer(tmp_path / "redis-again")
    try:
        assert SharedOverlayStore(SharedState(again.url)).upsert([ItemUpdate(id="b", price=2.0)]) > before
    finally:
        again.stop()


def test_the_overlay_commands_reach_the_shared_store(redis_server, tmp_path):
    from click.testing import CliRunner

    from edge.cli import main

    SharedOverlayStore(SharedState(redis_server.url)).upsert([ItemUpdate(id="a", in_stock=False)])
    runner = CliRunner()
    status = runner.invoke(main, ["overlay", "status", "--dir", str(tmp_path / "none"),
                                  "--state-url", redis_server.url])
    assert status.exit_code == 0 and "1 items overridden, 1 hidden" in status.output, status.output
    cleared = runner.invoke(main, ["overlay", "clear", "--state-url", redis_server.url])
    assert cleared.exit_code == 0 and "cleared 1 overrides" in cleared.output, cleared.output
    assert SharedOverlayStore(SharedState(redis_server.url)).load()[1] == {}
    assert not (tmp_path / "none").exists()


def test_a_rule_set_written_through_one_store_is_read_by_another_with_the_overlay_generation(redis_server):
    one, two = (SharedOverlayStore(SharedState(redis_server.url)) for _ in range(2))
    assert two.rules() == (0, b"[]")
    before = one.upsert([ItemUpdate(id="a", price=1.0)])
    generation = one.put_rules(b'[{"kind":"exclude","id":"x","page":"cart","brand":"Acme"}]')
    assert generation == before + 1 == two.generation()  # every worker reloads, ETags move
    assert two.rules() == (generation, b'[{"kind":"exclude","id":"x","page":"cart","brand":"Acme"}]')
    assert two.clear() == generation + 1 and two.rules()[0] == generation  # clearing overrides keeps the rules
