"""The request context's id rules: order, repeats, unknown ids and empty lists, whether the ids
come from the snapshot or the per-worker id cache."""

import numpy as np
import pytest

from edge.build.render import string_table
from edge.build.writer import publish, write_snapshot
from edge.profiles.store import Profile
from edge.schemas import RecommendRequest
from edge.slots.context import build_context
from edge.store import open_snapshot
from tests.snapshots import tiny_arrays, tiny_manifest


@pytest.fixture(params=["id table", "id database"])
def snap(tmp_path, request, monkeypatch):
    """Ids item-0 .. item-3; with their strings (looked up by the compiled id table) or without (LMDB)."""
    arrays = tiny_arrays()
    ids = [f"item-{i}" for i in range(4)]
    if request.param == "id table":
        monkeypatch.setattr("edge.store.ID_TABLE_MIN", 1)  # every cold id through the table, however few
        arrays["ext_offsets"], arrays["ext_blob"] = string_table(ids)
    publish(write_snapshot(tmp_path, tiny_manifest("20260101T000000000000Z-one", arrays), arrays, ids))
    with open_snapshot(tmp_path) as s:
        assert ("ext_blob" in s.arrays) == (request.param == "id table")
        yield s


def _int32(*arrays):
    return all(a.dtype == np.int32 and a.flags.c_contiguous and a.flags.writeable for a in arrays)


@pytest.mark.parametrize("rounds", [1, 2])  # the second build answers from the id cache
def test_ids_become_rows_in_order_with_unknown_ids_counted(snap, rounds):
    req = RecommendRequest(page="cart", item="item-0", cart=["item-2", "nope", "item-1"],
                           history=["item-1", "gone", "item-3", "item-1", "gone"],
                           purchased=["item-3", "never"], exclude=["item-2", "not-here"])
    for _ in range(rounds):
        ctx = build_context(snap, req)
    assert ctx.cart.tolist() == [2, 1]
    assert ctx.history.tolist() == [3, 1]  # repeats keep their latest position; "gone" is counted once
    assert ctx.purchased.tolist() == [3]
    assert ctx.excluded.tolist() == [2]
    assert ctx.current.tolist() == [0] and ctx.anchor.tolist() == [0]
    assert ctx.ignored == 1 + 1 + 1  # cart, history, purchased; exclusions are not counted
    assert _int32(ctx.cart, ctx.history, ctx.purchased, ctx.excluded, ctx.current, ctx.anchor)
    assert (snap._id_table is not None) == ("ext_blob" in snap.arrays)  # the path under test was taken


def test_an_unknown_item_is_counted_and_the_latest_view_anchors(snap):
    ctx = build_context(snap, RecommendRequest(page="product", item="nope", history=["item-2", "item-3", "item-2"]))
    assert ctx.current.size == 0 and ctx.ignored == 1
    assert ctx.history.tolist() == [3, 2] and ctx.anchor.tolist() == [2]


def test_empty_and_wholly_unknown_lists_give_empty_int32_arrays(snap):
    ctx = build_context(snap, RecommendRequest(page="home", history=["x", "y", "x"], cart=["z"]))
    assert ctx.history.size == 0 and ctx.cart.size == 0 and ctx.anchor.size == 0
    assert ctx.ignored == 3  # x once (repeats collapse first), y, z
    bare = build_context(snap, RecommendRequest(page="home"))
    assert bare.ignored == 0 and _int32(bare.cart, bare.history, bare.purchased, bare.excluded)
    assert bare.cart.size == bare.history.size == bare.purchased.size == bare.current.size == 0


def test_a_profile_comes_before_the_request_and_repeats_collapse(snap):
    profile = Profile(views=["item-1", "item-2"], cart=["item-3"], purchases=["item-0"])
    req = RecommendRequest(page="cart", history=["item-1"], cart=["item-3", "item-2"], purchased=["item-0"])
    ctx = build_context(snap, req, profile)
    assert ctx.history.tolist() == [2, 1] and ctx.cart.tolist() == [3, 2] and ctx.purchased.tolist() == [0]
