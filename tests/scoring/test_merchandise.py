"""The merchandising kernels on hand-made arrays: pins, exclusions, boosts, and their collisions.

Whole pages under rules (compiled from the HTTP contract, both buckets) are in tests/serve/routes/test_rules.py."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from edge.scoring import merchandise as merch
from edge.scoring.merchandise import EMPTY, Rules, pack
from tests.scoring.arrays import read_only

N_ITEMS = 10
PINNED, FEATURED = 101, 102
INF = float("inf")


def catalog() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(in_stock, price, category) of ten items: item i costs i + 1, category i % 3; item 9 is out of stock."""
    in_stock = np.ones(N_ITEMS, np.bool_)
    in_stock[9] = False
    price = np.arange(1, N_ITEMS + 1, dtype=np.float32)
    category = (np.arange(N_ITEMS) % 3).astype(np.int32)
    read_only(in_stock, price, category)
    return in_stock, price, category


def bundle(deny_cats=(), deny_items=(), mult=None, pins=()) -> Rules:
    """One scope (first step 7) with the given rules."""
    def part(values):
        return np.array(list(values), np.int64)

    return pack(slot_first=part([7]), deny_ptr=part([0, len(deny_cats)]), deny_cats=part(sorted(deny_cats)),
                item_ptr=part([0, len(deny_items)]), deny_items=part(sorted(deny_items)),
                boost_row=part([0 if mult is not None else -1]),
                mult=np.array([mult], np.float32) if mult is not None else np.zeros((0, 0), np.float32),
                pin_ptr=part([0, len(pins)]), pin_pos=part(p for p, _ in sorted(pins)),
                pin_ids=part(i for _, i in sorted(pins)), pinned_text=PINNED, featured_text=FEATURED)


def pinned(rules: Rules, slot: list[int], n: int, exclude=(), price_lo=-INF, price_hi=INF, cat_allow=()):
    """The slot ``slot`` (texts 0) after ``pin``: [(id, text)]."""
    in_stock, price, category = catalog()
    m = len(slot)
    ids = np.zeros(n + 2, np.int32)
    ids[:m] = slot
    scores = np.zeros(n + 2, np.float32)
    scores[:m] = np.linspace(1, 0.5, m) if m else []
    text = np.zeros(n + 2, np.int32)
    num = np.zeros(n + 2, np.float64)
    got = merch.pin(rules, merch.scope_of(rules, 7), ids, scores, text, num, 0, m, n,
                    np.array(sorted(exclude), np.int32), in_stock, price, category, price_lo, price_hi,
                    np.array(cat_allow, np.int32), merch.denied_categories(rules, merch.scope_of(rules, 7)))
    return list(zip(ids[:got].tolist(), text[:got].tolist(), strict=True))


def test_a_slot_without_rules_finds_no_scope() -> None:
    assert merch.scope_of(EMPTY, 7) == -1
    assert merch.scope_of(bundle(), 8) == -1 and merch.scope_of(bundle(), 7) == 0
    assert pinned(EMPTY, [1, 2], 4) == [(1, 0), (2, 0)]


def test_a_pin_takes_its_position_and_shifts_the_others() -> None:
    assert pinned(bundle(pins=[(1, 5)]), [1, 2, 3], 4) == [(1, 0), (5, PINNED), (2, 0), (3, 0)]


def test_a_pin_respects_n_the_last_pick_makes_room() -> None:
    assert pinned(bundle(pins=[(0, 5)]), [1, 2, 3], 3) == [(5, PINNED), (1, 0), (2, 0)]


def test_a_position_past_the_request_n_is_not_pinned() -> None:
    assert pinned(bundle(pins=[(3, 5)]), [1, 2, 3], 3) == [(1, 0), (2, 0), (3, 0)]


def test_a_position_past_the_slot_end_appends() -> None:
    assert pinned(bundle(pins=[(6, 5)]), [1], 8) == [(1, 0), (5, PINNED)]
    assert pinned(bundle(pins=[(2, 5)]), [], 8) == [(5, PINNED)]


def test_a_pin_already_in_the_slot_moves_and_is_not_shown_twice() -> None:
    assert pinned(bundle(pins=[(0, 3)]), [1, 2, 3], 3) == [(3, PINNED), (1, 0), (2, 0)]


def test_moving_a_later_pin_never_shifts_an_earlier_one() -> None:
    assert pinned(bundle(pins=[(1, 5), (3, 1)]), [1, 2, 3, 4], 5) == \
        [(2, 0), (5, PINNED), (3, 0), (1, PINNED), (4, 0)]


@pytest.mark.parametrize("case", [
    {"pins": [(0, 9)]},                                   # out of stock
    {"pins": [(0, 5)], "exclude": [5]},                   # the request's exclusions, or another slot's items
    {"pins": [(0, 5)], "price_hi": 5.5},                  # item 5 costs 6
    {"pins": [(0, 5)], "price_lo": 6.5},
    {"pins": [(0, 5)], "cat_allow": [0, 1]},              # item 5 is in category 2
    {"pins": [(0, -1)]},                                  # unknown ids never reach the kernel; still harmless
    {"pins": [(0, 5)], "deny_cats": [2]},                 # exclusion beats pinning
], ids=["stock", "excluded", "price-max", "price-min", "category", "unknown", "denied"])
def test_a_pin_the_request_filters_out_is_skipped(case) -> None:
    rules = bundle(pins=case["pins"], deny_cats=case.get("deny_cats", ()))
    got = pinned(rules, [1, 2], 4, exclude=case.get("exclude", ()), price_lo=case.get("price_lo", -INF),
                 price_hi=case.get("price_hi", INF), cat_allow=case.get("cat_allow", ()))
    assert got == [(1, 0), (2, 0)]


def test_excluded_brands_merge_into_the_exclusions() -> None:
    rules = bundle(deny_items=[2, 5, 8])
    out = merch.denied_items(rules, 0, np.array([1, 5, 9], np.int32))
    assert out.tolist() == [1, 2, 5, 8, 9]
    same = np.array([3], np.int32)
    assert merch.denied_items(bundle(), 0, same) is same and merch.denied_items(rules, -1, same) is same


def test_an_excluded_brand_beats_a_pin() -> None:
    rules = bundle(deny_items=[5], pins=[(0, 5)])
    exclude = merch.denied_items(rules, 0, np.zeros(0, np.int32))
    assert pinned(rules, [1], 4, exclude=exclude.tolist()) == [(1, 0)]


def ranked(rules: Rules, items: list[int], scores: list[float], k: int = 4, deny=()) -> list[int]:
    in_stock, price, category = catalog()
    scope = merch.scope_of(rules, 7)
    ids, _ = merch.ranked(rules, scope, np.array(items, np.int32), np.array(scores, np.float32),
                          (in_stock, price, category), np.zeros(0, np.int32), -INF, INF, np.zeros(0, np.int32),
                          np.array(deny, np.int32) if deny else merch.denied_categories(rules, scope), 0, k)
    return ids.tolist()


def test_a_ranking_keeps_its_order_without_boosts_and_is_ranked_again_with_them() -> None:
    items, scores = [0, 1, 2, 3, 4], [0.9, 0.8, 0.7, 0.6, 0.5]
    assert ranked(EMPTY, items, scores) == [0, 1, 2, 3]
    mult = np.ones(N_ITEMS, np.float32)
    mult[4] = 3.0   # boosted: 1.5, first
    mult[0] = 0.5   # buried: 0.45, last
    assert ranked(bundle(mult=mult), items, scores, k=5) == [4, 1, 2, 3, 0]


def test_an_excluded_category_beats_a_boost() -> None:
    mult = np.full(N_ITEMS, 10.0, np.float32)
    assert ranked(bundle(mult=mult, deny_cats=[1]), [0, 1, 2, 3, 4], [0.9, 0.8, 0.7, 0.6, 0.5]) == [0, 2, 3]


def test_boosted_candidates_are_multiplied_and_explained_as_featured() -> None:
    mult = np.ones(N_ITEMS, np.float32)
    mult[2] = 2.0
    mult[3] = 0.5
    rules = bundle(mult=mult)
    ids = np.array([2, 3, 4], np.int32)
    assert merch.boosted(rules, 0, ids, np.ones(3, np.float32)).tolist() == [2.0, 0.5, 1.0]
    scores = np.ones(3, np.float32)
    assert merch.boosted(EMPTY, -1, ids, scores) is scores
    text = np.zeros(3, np.int32)
    num = np.ones(3, np.float64)
    merch.feature(rules, 0, ids, 0, 3, text, num)
    assert text.tolist() == [FEATURED, 0, 0]  # a buried item keeps its reason
    merch.feature(EMPTY, -1, ids, 0, 3, text, num)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, N_ITEMS - 1), unique=True, max_size=8),
       st.lists(st.tuples(st.integers(0, 12), st.integers(-1, N_ITEMS - 1)), max_size=5), st.integers(1, 8),
       st.lists(st.integers(0, N_ITEMS - 1), max_size=4))
def test_pins_never_repeat_an_item_nor_pass_n(slot, pins, n, exclude) -> None:
    positions = {}
    for pos, item in pins:  # the stored set has one pin per position and per item of a slot
        if pos not in positions and item not in positions.values():
            positions[pos] = item
    slot = [i for i in slot if i not in exclude][:n]
    got = pinned(bundle(pins=list(positions.items())), slot, n, exclude=set(exclude))
    ids = [i for i, _ in got]
    assert len(ids) == len(set(ids)) <= n
    assert not set(ids) & set(exclude) - set(slot)
    for i, text in got:
        assert text == (PINNED if i in positions.values() and text else 0)
