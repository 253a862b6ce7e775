"""The catalog overlay in Redis: what one store writes, another reads, with the generation moving in step."""

from __future__ import annotations

from edge.overlay.schemas import ItemUpdate, Override
from edge.shared.client import SharedState
from edge.shared.overlay import SharedOverlayStore


def test_writes_through_one_store_are_loaded_by_another(redis_server):
    one, two = (SharedOverlayStore(SharedState(redis_server.url)) for _ in range(2))
    assert two.load() == (0, {})
    assert one.upsert([ItemUpdate(id="a", price=9.5), ItemUpdate(id="b", in_stock=False)]) == 1
    assert one.upsert([ItemUpdate(id="a", in_stock=True)]) == 2  # merged with what is stored
    assert two.generation() == 2
    generation, items = two.load()
    assert generation == 2
    assert items["a"] == Override().merged(ItemUpdate(id="a", price=9.5)).merged(ItemUpdate(id="a", in_stock=True))
    assert items["b"].in_stock is False
    assert two.delete("c") == 3 and one.load()[1]["c"].deleted
    assert one.clear() == 4 and two.load() == (4, {})
