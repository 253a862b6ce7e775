"""Properties every response must hold, over random requests against a real snapshot."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from edge.schemas import PAGE_SLOTS, RecommendRequest
from edge.slots.context import build_context
from edge.slots.planner import plan
from edge.slots.programs import OWN_ITEM_SLOTS
from edge.slots.served import serve

# Slots whose chain ends in the global bestsellers: never empty while eligible bestsellers remain.
ENDS_IN_BESTSELLERS = {"bestsellers", "trending", "for_you", "category_picks", "similar", "bought_together"}


@pytest.fixture(scope="module")
def snap(stocked_snapshot):
    return stocked_snapshot


@st.composite
def requests(draw, snap):
    n_items = snap.n_items
    pick = st.integers(0, n_items - 1).map(snap.external_id)
    ids = st.one_of(pick, st.sampled_from(["UNKNOWN-1", "UNKNOWN-2"]))
    page = draw(st.sampled_from(list(PAGE_SLOTS)))
    lo = draw(st.none() | st.floats(0, 5))
    hi = draw(st.none() | st.floats(1, 50))
    return RecommendRequest(
        page=page, item=draw(st.none() | ids), cart=draw(st.lists(ids, max_size=6)),
        history=draw(st.lists(ids, max_size=12)), purchased=draw(st.lists(pick, max_size=4)),
        exclude=draw(st.lists(pick, max_size=4)), n=draw(st.integers(1, 12)), price_min=lo, price_max=hi,
        free_shipping_gap=draw(st.none() | st.floats(0, 30)),
    )


def eligible(snap, ids, req, hidden):
    a = snap.arrays
    lo = -np.inf if req.price_min is None else req.price_min
    hi = np.inf if req.price_max is None else req.price_max
    return [i for i in ids if a["in_stock"][i] and i not in hidden and lo <= a["price"][i] <= hi]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_response_invariants(snap, data):
    req = data.draw(requests(snap))
    ctx = build_context(snap, req)
    results = plan(serve(snap), ctx, PAGE_SLOTS[req.page])
    distinct_history = list(dict.fromkeys(req.history))  # repeats in history count once
    unknown = [i for i in req.cart + distinct_history + req.purchased + ([req.item] if req.item else [])
               if snap.index_of(i) < 0]
    assert ctx.ignored == len(unknown)

    cart = {snap.index_of(i) for i in req.cart} - {-1}
    history = {snap.index_of(i) for i in req.history} - {-1}
    banned = cart | {snap.index_of(i) for i in req.exclude} | ({snap.index_of(req.item)} - {-1} if req.item else set())
    shown: set[int] = set()
    for result in results:
        ids = result.picked.ids.tolist()
        assert len(ids) <= req.n
        assert len(set(ids)) == len(ids)
        assert len(result.picked.reasons) == len(ids)
        for i in ids:
            assert i not in banned, (result.slot, i)
            assert snap.arrays["in_stock"][i], (result.slot, i)
            assert i not in shown, f"{i} shown twice"
            if result.slot not in OWN_ITEM_SLOTS:
                assert i not in history, (result.slot, i)
            price = snap.arrays["price"][i]
            if req.price_min is not None:
                assert price >= req.price_min
            if req.price_max is not None:
                assert price <= req.price_max
        hidden = banned | shown | (set() if result.slot in OWN_ITEM_SLOTS else history)
        if result.slot in ENDS_IN_BESTSELLERS:
            best, _ = snap.ranking("bestsellers", 0)
            can = eligible(snap, best.tolist(), req, hidden)
            assert len(ids) == min(req.n, len(set(can) | set(ids))), result.slot
        if result.slot in OWN_ITEM_SLOTS:
            can = eligible(snap, list(history), req, hidden)
            assert len(ids) == min(req.n, len(can)), result.slot
        shown |= set(ids)
