"""Measured = served: the same context gives the same slot through ``skylt evaluate``'s path
(``edge.evaluate.served``) and through ``GET /v1/recommend``."""

from urllib.parse import urlencode

import numpy as np
import pytest

from edge.config import Settings
from edge.evaluate.protocols import Case
from edge.evaluate.served import context, default_weights, planner, slot_ids, tuned_weights
from edge.evaluate.tune import BASKET, NEXT_ITEM, request
from edge.layout import NEIGHBOUR_TABLES, Tune
from edge.slots.tunables import DEFAULT_WEIGHTS, SIMILAR_WITHOUT_NEAR, W_CART, W_SIMILAR, weight_row


def _served_ids(client, **query) -> list[str]:
    body = client.get("/v1/recommend?" + urlencode(query)).json()
    (slot,) = body["slots"]
    return [item["id"] for item in slot["items"]]


def _contexts(snap, rng, count):
    """Product pages (an item and up to four earlier clicks) and carts of one to four items,
    drawn from items that have neighbours."""
    indptr = snap.arrays["nbr_indptr"]
    linked = np.flatnonzero(np.diff(indptr, axis=1).sum(axis=0) > 0).astype(np.int32)
    for _ in range(count):
        seq = rng.choice(linked, size=int(rng.integers(1, 6)), replace=False).astype(np.int32)
        yield seq


@pytest.mark.parametrize("family", [NEXT_ITEM, BASKET], ids=lambda f: f.name)
def test_evaluate_asks_what_the_server_answers(demo_snapshot, app_client, family):
    snap = demo_snapshot  # built by `skylt build`, so tuned if the demo's validation window was big enough
    served = planner(snap, Settings())
    rng = np.random.default_rng(7)
    compared = 0
    for seq in _contexts(snap, rng, 40):
        case = Case(seeds=seq, target=-1, user=-1)
        ids = slot_ids(served, request(family, case), family.slot)
        ext = [snap.external_id(int(i)) for i in ids]
        if family is NEXT_ITEM:
            query = {"page": "product", "item": ext_of(snap, seq[-1]), "slots": "similar", "n": 10}
            if seq.shape[0] > 1:
                query["history"] = ",".join(ext_of(snap, i) for i in seq[:-1])
        else:
            query = {"page": "cart", "cart": ",".join(ext_of(snap, i) for i in seq), "slots": "bought_together",
                     "n": 10}
        assert _served_ids(app_client, **query) == ext
        compared += bool(ext)
    assert compared >= 30


def ext_of(snap, i) -> str:
    return snap.external_id(int(i))


def test_tuned_weights_replace_the_recipes_the_manifest_names():
    tune = Tune(weights={"cart": {"bought_together": 2.5}, "nonsense": {"also_viewed": 9.0},
                         "similar": {"no_such_table": 1.0}})
    w = tuned_weights(tune)
    expected = default_weights()
    expected[1] = 0.0  # a named recipe's row is the manifest's: tables it leaves out weigh 0
    expected[1, NEIGHBOUR_TABLES.index("bought_together")] = 2.5
    expected[2] = 0.0  # only a table the server does not know: an empty row
    assert np.array_equal(w, expected)
    assert np.array_equal(tuned_weights(None), default_weights())


def test_weights_reach_the_planner(demo_snapshot):
    """A weight matrix given to the adapter changes the answer: only the named table is blended."""
    snap = demo_snapshot
    ctx = context("cart", cart=np.array([0], np.int32))
    only = np.zeros_like(default_weights())
    t = NEIGHBOUR_TABLES.index("bought_together")
    only[1, t] = 1.0
    ids = slot_ids(planner(snap, Settings(), weights=only), ctx, "bought_together")
    a = snap.arrays
    row = a["nbr_indices"][a["nbr_indptr"][t, 0]:a["nbr_indptr"][t, 1]]
    assert ids.size and set(ids[: min(row.size, 10)].tolist()) <= set(row.tolist())


def test_a_snapshot_from_before_viewed_near_plans_as_before(demo_snapshot):
    """Five stacked tables (no ``viewed_near`` nor ``bought_category``): the answers of the seven with the
    weights from before the ``similar`` recipe took ``viewed_near`` up (``SIMILAR_WITHOUT_NEAR``), and the
    cart's category fallback weighed 0 on both."""
    from types import SimpleNamespace

    snap = demo_snapshot
    a = snap.arrays
    five = NEIGHBOUR_TABLES.index("viewed_near")
    assert five == 5 and NEIGHBOUR_TABLES[6:] == ("bought_category",)
    end = int(a["nbr_indptr"][five, 0])
    arrays = {name: a[name] for name in a}
    arrays.update(nbr_indptr=np.ascontiguousarray(a["nbr_indptr"][:five]), nbr_indices=a["nbr_indices"][:end],
                  nbr_scores=a["nbr_scores"][:end], nbr_counts=a["nbr_counts"][:end])
    old = SimpleNamespace(arrays=arrays, render_offsets=snap.render_offsets,
                          manifest=SimpleNamespace(tables=list(NEIGHBOUR_TABLES[:five]), tune=None),
                          has_views=snap.has_views)
    # The default weights on both, whatever the demo build tuned, but for the cart's category fallback.
    cart = {t: w for t, w in DEFAULT_WEIGHTS["cart"].items() if t != "bought_category"}
    defaults = Tune(weights={"cart": cart})
    without = default_weights()
    without[W_SIMILAR] = weight_row(SIMILAR_WITHOUT_NEAR)
    without[W_CART] = weight_row(cart)
    before, now = planner(old, Settings(), defaults), planner(snap, Settings(), defaults, weights=without)
    rng = np.random.default_rng(3)
    for seq in _contexts(snap, rng, 20):
        for family in (NEXT_ITEM, BASKET):
            ctx = request(family, Case(seeds=seq, target=-1, user=-1))
            assert slot_ids(before, ctx, family.slot).tolist() == slot_ids(now, ctx, family.slot).tolist()
