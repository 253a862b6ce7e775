"""The Served unit: what a worker swaps as one, and how the holder serves it."""

from __future__ import annotations

import numpy as np

from edge.overlay.resolve import resolve
from edge.overlay.schemas import Override
from edge.serve.swap import SnapshotHolder
from edge.slots.served import Served, serve
from tests.snapshots import write_tiny


def test_the_holder_serves_what_the_warm_up_prepared(tmp_path):
    write_tiny(tmp_path, "v1")
    prepared: list[Served] = []

    def warm(snap):
        prepared.append(serve(snap).with_overlay(resolve(snap, {"item-1": Override(in_stock=False)}, 5), 5))
        return prepared[-1]

    holder = SnapshotHolder(tmp_path, warm)
    snap = holder.prepare()
    assert snap is not None and holder.current is None
    holder.install(snap)
    assert holder.served is prepared[0] and holder.current is snap and holder.served.generation == 5
    holder.close()


def test_without_a_prepared_unit_the_snapshot_is_served_as_built(tmp_path):
    write_tiny(tmp_path, "v1")
    holder = SnapshotHolder(tmp_path, lambda snap: None)
    snap = holder.prepare()
    holder.install(snap)
    assert holder.served is not None and holder.served.snapshot is snap and holder.served.overlay is None
    assert holder.served.tag == b"" and holder.served.prices is snap.arrays["price"]
    holder.close()


def test_an_overlay_update_swaps_the_unit_but_only_for_the_snapshot_it_was_made_for(tmp_path):
    write_tiny(tmp_path, "v1")
    holder = SnapshotHolder(tmp_path, lambda snap: None)
    holder.install(holder.prepare())
    first = holder.served
    assert first is not None
    with holder.lease_served() as leased:
        newer = first.with_overlay(resolve(first.snapshot, {"item-2": Override(deleted=True)}, 2), 2)
        assert holder.update(newer) and holder.served is newer
        assert leased is first and leased.overlay is None  # a request keeps the unit it took
    assert newer.overlay is not None and newer.overlay.blocked.tolist() == [2] and newer.tag == b"+2"
    stale = first.with_overlay(None, 3)
    write_tiny(tmp_path, "v2")
    holder.install(holder.prepare())
    assert holder.current is not first.snapshot
    assert not holder.update(stale) and holder.served is not stale  # made for a snapshot no longer served
    holder.close()


def test_a_leased_unit_keeps_its_snapshot_open_across_a_swap(tmp_path):
    write_tiny(tmp_path, "v1")
    holder = SnapshotHolder(tmp_path, lambda snap: None)
    holder.install(holder.prepare())
    with holder.lease_served() as leased:
        write_tiny(tmp_path, "v2")
        holder.install(holder.prepare())
        assert "arrays" in vars(leased.snapshot)  # still open while leased
        assert np.array_equal(leased.snapshot.arrays["price"], [1, 2, 3, 4])
    assert "arrays" not in vars(leased.snapshot)  # closed once the lease ended
    holder.close()
