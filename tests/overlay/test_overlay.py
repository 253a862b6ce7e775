"""The overlay's parts: the shared store, resolution against a snapshot, and the watcher."""

import os
import shutil

import msgspec
import numpy as np
import pytest
from starlette.testclient import TestClient

from edge.config import Settings
from edge.overlay import ItemUpdate, OverlayStore, Override, resolve
from edge.overlay.prices import price_file, publish, use_shared
from edge.overlay.watch import OverlayWatcher
from edge.serve.app import create_app
from edge.slots.served import serve
from edge.store import open_snapshot
from tests.waiting import wait_until


@pytest.fixture
def store(tmp_path):
    s = OverlayStore(tmp_path / "overlay")
    yield s
    s.close()


@pytest.fixture
def snap(demo_tables):
    # Its own object: attaching an overlay must not leak into other tests' snapshots.
    with open_snapshot(demo_tables) as s:
        yield s


def test_updates_merge_field_by_field_and_every_change_bumps_the_generation(store):
    assert store.load() == (0, {})
    assert store.upsert([ItemUpdate(id="a", title="A", price=2.0), ItemUpdate(id="b", in_stock=False)]) == 1
    assert store.upsert([ItemUpdate(id="a", price=3.0), ItemUpdate(id="a", rating=4.0)]) == 2
    assert store.load() == (2, {"a": Override(title="A", price=3.0, rating=4.0), "b": Override(in_stock=False)})
    assert store.delete("a") == 3
    assert store.load()[1]["a"] == Override(deleted=True)
    assert store.upsert([ItemUpdate(id="a", in_stock=True)]) == 4  # an upsert brings it back
    assert store.load()[1]["a"] == Override(in_stock=True)
    assert store.clear() == 5
    assert store.load() == (5, {}) and store.generation() == 5


def test_a_store_is_not_created_where_none_is_wanted(tmp_path):
    watcher = OverlayWatcher(tmp_path / "overlay")
    watcher.open(create=False)
    assert watcher.store is None and not (tmp_path / "overlay").exists()


def test_resolution_blocks_reprices_and_rerenders_known_items_only(snap):
    a, b, c, d = (snap.external_id(i) for i in (3, 1, 2, 7))
    overlay = resolve(snap, {a: Override(in_stock=False), b: Override(deleted=True), c: Override(price=1.234),
                             d: Override(title="New", in_stock=True), "nope": Override(in_stock=False)}, 9)
    assert overlay.generation == 9 and overlay.overrides == 5
    assert overlay.blocked.tolist() == [1, 3] and overlay.blocked.dtype == np.int32
    assert overlay.priced_ids.tolist() == [2] and overlay.priced_values.tolist() == [1.234]
    assert set(overlay.fragments) == {2, 7}
    # Same format as the build's fragments: the members of an object, same keys, same order.
    original = msgspec.json.decode(b"{" + snap.render(2) + b"}")
    repriced = msgspec.json.decode(b"{" + overlay.fragments[2] + b"}")
    assert list(repriced) == list(original) and repriced == {**original, "price": 1.23}
    assert msgspec.json.decode(b"{" + overlay.fragments[7] + b"}")["title"] == "New"


def test_links_stored_before_put_checked_them_are_never_served(snap):
    """An overlay written by an older server may hold a javascript: URL: the item keeps its built link."""
    item = snap.external_id(4)
    original = msgspec.json.decode(b"{" + snap.render(4) + b"}")
    overlay = resolve(snap, {item: Override(title="T", url="javascript:alert(1)", image="/img/4.jpg")}, 1)
    shown = msgspec.json.decode(b"{" + overlay.fragments[4] + b"}")
    assert shown == {**original, "title": "T", "image": "/img/4.jpg"}


def test_deleted_and_out_of_stock_items_are_blocked(snap):
    changes = ((5, Override(in_stock=False)), (8, Override(price=20.0)), (0, Override(deleted=True)))
    overlay = resolve(snap, {snap.external_id(i): o for i, o in changes}, 1)
    assert overlay.blocked.tolist() == [0, 5]
    assert serve(snap).with_overlay(overlay, 1).catalog.blocked.tolist() == [0, 5]


def test_the_shared_price_file_follows_the_newest_generation_only(snap, tmp_path):
    base = snap.arrays["price"].copy()
    publish(tmp_path, snap, np.array([7, 2], np.int32), np.array([9.5, 1.25]), 2)
    held = use_shared(tmp_path, snap)
    shared = held.prices
    assert not shared.flags.writeable and shared.flags.aligned and shared.dtype == np.float32
    assert shared[2] == 1.25 and shared[7] == 9.5
    assert np.array_equal(np.delete(shared, [2, 7]), np.delete(base, [2, 7]), equal_nan=True)
    assert np.array_equal(snap.arrays["price"], base, equal_nan=True)  # the snapshot's own stay as built
    publish(tmp_path, snap, np.array([2], np.int32), np.array([3.0]), 1)  # older: another worker was first
    assert shared[2] == 1.25
    publish(tmp_path, snap, np.zeros(0, np.int32), np.zeros(0), 3)  # the overrides were cleared
    assert np.array_equal(shared, base, equal_nan=True)
    assert use_shared(tmp_path, snap, held) is held  # mapped once per snapshot
    price_file(tmp_path, snap).unlink()  # replaced: the next generation maps the new file
    publish(tmp_path, snap, np.array([2], np.int32), np.array([6.0]), 4)
    again = use_shared(tmp_path, snap, held)
    assert again.prices is not shared and again.prices[2] == 6.0
    assert np.array_equal(snap.arrays["price"], base, equal_nan=True)


def test_an_empty_overlay_costs_nothing_on_the_request_path_but_still_tags_keys(snap):
    served = serve(snap)
    assert served.overlay is None and served.generation is None and served.tag == b""
    empty = served.with_overlay(resolve(snap, {"unknown-only": Override(in_stock=False)}, 3), 3)
    assert empty.generation == 3 and not empty.fragments
    assert not (empty.catalog.blocked.size or empty.catalog.overlay_ids.size) and empty.prices is served.prices
    assert empty.tag == b"+3"  # a clear (an empty overlay) must change ETags as well
    blocked = served.with_overlay(resolve(snap, {snap.external_id(0): Override(in_stock=False)}, 4), 4)
    assert blocked.overlay is not None and blocked.catalog.blocked.tolist() == [0]


def test_a_new_snapshot_is_resolved_before_it_serves(demo_tables, tmp_path):
    # A second version of the same shop: a copy under a new name, then `current` repointed.
    tables = tmp_path / "tables"
    first = os.readlink(demo_tables / "current")
    shutil.copytree(demo_tables / first, tables / first)
    os.symlink(first, tables / "current")
    settings = Settings.load(tables=str(tables), poll_seconds=0.05, catalog_overlay=str(tmp_path / "overlay"),
                             admin_keys="overlay-admin-key-01", overlay_poll_seconds=3600.0)
    with TestClient(create_app(settings)) as client:
        holder = client.app.state.holder
        target = holder.current.external_id(int(holder.current.ranking("bestsellers", 0)[0][0]))
        client.put("/v1/catalog/items", json={"items": [{"id": target, "in_stock": False}]},
                   headers={"Authorization": "Bearer overlay-admin-key-01"})
        old = holder.current
        shutil.copytree(tables / first, tables / "v2")
        os.symlink("v2", tables / "current.tmp")
        os.replace(tables / "current.tmp", tables / "current")
        # A guard against a hang, not a latency bound.
        wait_until(lambda: holder.current is not old, timeout=30, what="the new snapshot swapped in")
        overlay = holder.served.overlay
        assert overlay is not None and overlay.generation == 1
        assert overlay.blocked.tolist() == [holder.current.index_of(target)]
        items = client.get("/v1/recommend", params={"page": "home", "slots": "bestsellers"}).json()
        assert target not in [i["id"] for i in items["slots"][0]["items"]]


def test_price_files_of_deleted_snapshots_are_pruned_when_a_new_one_is_served(demo_tables, tmp_path):
    tables = tmp_path / "tables"
    first = os.readlink(demo_tables / "current")
    shutil.copytree(demo_tables / first, tables / first)
    os.symlink(first, tables / "current")
    overlay_dir = tmp_path / "overlay"
    watcher = OverlayWatcher(overlay_dir)
    watcher.open(create=True)
    assert watcher.store is not None
    try:
        with open_snapshot(tables) as snap:
            watcher.store.upsert([ItemUpdate(id=snap.external_id(3), price=1.5)])
            (overlay_dir / "prices-deleted-version.f32").write_bytes(b"\0" * 64)
            served = watcher.serve_new(serve(snap))
            assert served.prices[3] == 1.5 and served.catalog.price is served.prices
            names = sorted(p.name for p in overlay_dir.glob("prices-*.f32"))
            assert names == [price_file(overlay_dir, snap).name]
            del served
    finally:
        watcher.close()
