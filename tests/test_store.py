import os

import numpy as np
import pytest

from edge.errors import SnapshotError
from edge.store import Snapshot, SnapshotDir, open_snapshot
from tests.snapshots import write_tiny


@pytest.fixture
def tables(tmp_path):
    write_tiny(tmp_path, "20260101T000000000000Z-one")
    return tmp_path


def test_arrays_are_read_only_views_of_the_map(tables):
    with open_snapshot(tables) as snap:
        price = snap.arrays["price"]
        assert not price.flags.writeable
        base = price
        while isinstance(base, np.ndarray):
            base = base.base
        assert isinstance(base, memoryview)  # a view onto LMDB's map, not a copy
        np.testing.assert_array_equal(price, [1, 2, 3, 4])
        with pytest.raises(ValueError):
            price[0] = 9


def test_ids_map_both_ways(tables):
    with open_snapshot(tables) as snap:
        assert snap.index_of("item-2") == 2
        assert snap.index_of("nope") == -1
        known, unknown = snap.lookup(["item-3", "nope", "item-0"])
        np.testing.assert_array_equal(known, [3, 0])
        assert unknown == 1


@pytest.mark.parametrize("warm", [False, True])
def test_lookup_keeps_order_and_repeats_and_counts_unknown_ids(tables, warm):
    """The same answer whether the ids come from LMDB or the per-worker cache, or a mix."""
    with open_snapshot(tables) as snap:
        if warm:
            snap.lookup(["item-1", "nope"])  # half of the ids below cached, half not
        known, unknown = snap.lookup(["item-3", "item-1", "nope", "item-3", "also-nope", "nope", "item-0"])
        assert known.tolist() == [3, 1, 3, 0]  # request order, repeats kept (the context decides about those)
        assert unknown == 3
        assert known.dtype == np.int32 and known.flags.writeable and known.flags.c_contiguous
        all_known, none_unknown = snap.lookup(["item-2", "item-0"])
        assert all_known.tolist() == [2, 0] and none_unknown == 0 and all_known.dtype == np.int32
        only_unknown, n = snap.lookup(["nope", "nope"])
        assert only_unknown.size == 0 and only_unknown.dtype == np.int32 and n == 2
        empty, zero = snap.lookup([])
        assert empty.size == 0 and empty.dtype == np.int32 and zero == 0


def test_the_id_table_agrees_with_the_id_database_and_refuses_look_alikes(demo_tables):
    from edge.idtable import IdTable
    from edge.layout import IDS_DB

    with open_snapshot(demo_tables) as snap:
        table = IdTable(snap.arrays["ext_offsets"], snap.arrays["ext_blob"])
        db = snap._env.open_db(IDS_DB, txn=snap._txn, create=False)
        stored = {bytes(k).decode(): int.from_bytes(v, "little") for k, v in snap._txn.cursor(db=db)}
        assert len(stored) == snap.n_items and table.rows(list(stored)) == list(stored.values())
        some = next(iter(stored))
        hostile = ["", some[:-1], some + "0", some + "\n", some.lower() + "\u00e9", " " + some, "x" * 10_000, some]
        assert table.rows(hostile) == [-1] * 7 + [stored[some]]
        assert table.rows([]) == [] and table.rows([""]) == [-1]
        assert table.nbytes == 4 << (2 * snap.n_items - 1).bit_length()  # int32 slots, at most half full
        # The snapshot answers a batch of cold ids through it, then from its cache, as the id database does.
        batch = [some, "nope", *list(stored)[1:4], "nope", some]
        expected = [stored[some], *[stored[i] for i in batch[2:5]], stored[some]]
        for _ in range(2):
            assert snap.lookup(batch)[0].tolist() == expected and snap.lookup(batch)[1] == 2
        assert snap._id_table is not None
    with open_snapshot(demo_tables) as snap:
        snap.prepare_ids()  # what the warm-up does: the first batch of cold ids finds the table built
        assert snap._id_table is not None and snap.lookup([some] * 5)[0].tolist() == [stored[some]] * 5


def test_category_subtree_covers_children(tables):
    with open_snapshot(tables) as snap:
        assert sorted(snap.category_subtree("Kitchen").tolist()) == [0, 1]
        assert snap.category_subtree("Kitchen > Mugs").tolist() == [1]
        assert snap.category_subtree("Garden").size == 0


def test_rankings_and_unknown_groups(tables):
    with open_snapshot(tables) as snap:
        items, _ = snap.ranking("bestsellers", 0)
        assert items.tolist() == [0, 1, 2, 3]
        assert snap.ranking("bestsellers_region", 7)[0].size == 0
        assert snap.ranking("bestsellers_region", -1)[0].size == 0


def test_missing_and_corrupt_snapshots_are_refused(tmp_path):
    with pytest.raises(SnapshotError, match="no snapshot"):
        open_snapshot(tmp_path)
    bad = tmp_path / "v1"
    bad.mkdir()
    (bad / "data.mdb").write_bytes(b"not lmdb at all" * 100)
    with pytest.raises(SnapshotError):
        Snapshot(bad)


def test_incompatible_schema_is_refused(tmp_path):
    path = write_tiny(tmp_path, "20260101T000000000000Z-future", schema=99)
    with pytest.raises(SnapshotError, match="schema 99"):
        Snapshot(path)


def test_detects_a_new_current(tables):
    d = SnapshotDir(tables)
    snap = d.open_current()
    try:
        assert not d.changed(snap)
        write_tiny(tables, "20260102T000000000000Z-two")
        assert d.changed(snap)
        assert os.readlink(tables / "current") == "20260102T000000000000Z-two"
    finally:
        snap.close()


def test_large_arrays_are_mapped_from_their_overflow_pages(tmp_path):
    from edge.build.writer import publish, write_snapshot
    from tests.snapshots import tiny_arrays, tiny_manifest

    n = 50_000
    arrays = tiny_arrays(n)
    path = publish(write_snapshot(tmp_path, tiny_manifest("20260101T000000000000Z-big", arrays, n=n), arrays,
                                  [f"item-{i}" for i in range(n)]))
    with open_snapshot(path) as snap:
        assert snap.manifest.arrays["price"].offset > 0   # large: read from the file map
        assert snap.manifest.arrays["nbr_scores"].offset == -1  # empty: through LMDB
        np.testing.assert_array_equal(snap.arrays["price"], np.arange(1, n + 1, dtype=np.float32))
        assert not snap.arrays["price"].flags.writeable


def test_a_wrong_offset_is_refused(tmp_path):
    import lmdb
    import msgspec

    from edge.build.writer import publish, write_snapshot
    from edge.layout import MANIFEST_KEY, manifest_decoder, manifest_encoder
    from tests.snapshots import tiny_arrays, tiny_manifest

    n = 50_000
    arrays = tiny_arrays(n)
    path = publish(write_snapshot(tmp_path, tiny_manifest("20260101T000000000000Z-bad", arrays, n=n), arrays,
                                  [f"item-{i}" for i in range(n)]))
    env = lmdb.open(str(path), max_dbs=2)
    with env.begin(write=True) as txn:
        m = manifest_decoder.decode(txn.get(MANIFEST_KEY))
        spec = m.arrays["price"]
        moved = {**m.arrays, "price": msgspec.structs.replace(spec, offset=spec.offset + 4096)}
        txn.put(MANIFEST_KEY, manifest_encoder.encode(msgspec.structs.replace(m, arrays=moved)))
    env.close()
    with pytest.raises(SnapshotError, match="price"):
        Snapshot(path)


def test_close_releases_the_map_after_serving(demo_tables):
    """What the page kernel keeps per snapshot goes with it: closing after a swap frees the file map."""
    from edge.config import Settings
    from edge.schemas import PAGE_SLOTS, RecommendRequest
    from edge.slots.context import build_context
    from edge.slots.planner import render
    from edge.slots.served import serve

    snap = open_snapshot(demo_tables)
    req = RecommendRequest(page="home")
    served = serve(snap, Settings())
    body, _ = render(served, build_context(snap, req), PAGE_SLOTS["home"], "rid")
    assert b'"items":[{' in body
    mapped = snap._file
    del served  # the holder drops the Served (and its bundles' views of the map) as it retires a snapshot
    snap.close()
    assert mapped.closed
