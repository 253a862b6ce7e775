from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from edge.build.encode import SESSION_GAP, encode, group_median
from edge.build.frames import CATALOG_SCHEMA, EVENTS_SCHEMA, EventType
from edge.errors import InputError

V, C, P = int(EventType.VIEW), int(EventType.CART), int(EventType.PURCHASE)


def events(**cols: list[Any]) -> pa.Table:
    n = len(next(iter(cols.values())))
    cols.setdefault("ts", list(range(n)))
    cols.setdefault("type", [V] * n)
    cols.setdefault("quantity", [1.0] * n)
    return pa.table({f.name: pa.array(cols.get(f.name, [None] * n), f.type) for f in EVENTS_SCHEMA},
                    schema=EVENTS_SCHEMA)


def catalog(**cols: list[Any]) -> pa.Table:
    n = len(cols["item_id"])
    cols.setdefault("in_stock", [True] * n)
    return pa.table({f.name: pa.array(cols.get(f.name, [None] * n), f.type) for f in CATALOG_SCHEMA},
                    schema=CATALOG_SCHEMA)


def test_item_ids_catalog_first_then_first_appearance() -> None:
    ev = events(item_id=["z", "b", "y", "z", "a"], session_id=["s"] * 5)
    cat = catalog(item_id=["a", "b", "c"])
    frame, items = encode([ev], cat)
    assert items.item_ids == ["a", "b", "c", "z", "y"]
    assert frame.item.dtype == np.int32
    assert frame.item.tolist() == [3, 1, 4, 3, 0]  # one session, already in time order


def test_without_catalog_items_come_from_events() -> None:
    frame, items = encode([events(item_id=["10", "2", "10"], user_id=["u"] * 3)], None)
    assert items.item_ids == ["10", "2"]
    assert frame.item.tolist() == [0, 1, 0]
    assert items.title == [None, None] and items.url == [None, None]
    assert items.in_stock.tolist() == [True, True]
    assert items.category.tolist() == [-1, -1] and items.categories == []


def test_several_event_tables_are_concatenated() -> None:
    a = events(item_id=["x"], session_id=["s1"], ts=[10])
    b = events(item_id=["y"], session_id=["s1"], ts=[5])
    frame, items = encode([a, b], None)
    assert items.item_ids == ["x", "y"]
    assert frame.item.tolist() == [1, 0]  # sorted by ts within the session


def test_session_id_then_order_id_then_user_gaps() -> None:
    gap = SESSION_GAP
    ev = events(
        item_id=list("abcdefgh"),
        session_id=["S", None, None, None, None, None, "S", None],
        order_id=[None, "O", "O", None, None, None, "O", None],
        user_id=["u1", "u1", "u1", "u1", "u1", "u1", None, None],
        ts=[0, 1, 2, 100, 100 + gap, 100 + 2 * gap + 1, 3, 7],
    )
    frame, items = encode([ev], None)
    by_item = dict(zip([items.item_ids[i] for i in frame.item], frame.session.tolist(), strict=True))
    assert by_item["a"] == by_item["g"]                      # session_id wins over order_id
    assert by_item["b"] == by_item["c"] != by_item["a"]      # order_id groups the basket
    assert by_item["d"] == by_item["e"]                      # exactly 30 minutes: same session
    assert by_item["f"] != by_item["e"]                      # more than 30 minutes: a new one
    assert by_item["h"] not in {by_item[k] for k in "abcdefg"}  # no ids at all: alone
    assert sorted(set(frame.session.tolist())) == list(range(5))  # dense
    assert frame.session.dtype == np.int64


def test_user_gap_sessions_are_per_user() -> None:
    ev = events(item_id=["a", "b", "c", "d"], user_id=["u1", "u2", "u1", "u2"], ts=[0, 10, 20, 30])
    frame, _ = encode([ev], None)
    assert len(set(frame.session.tolist())) == 2
    assert frame.user.tolist() == [0, 0, 1, 1]  # users in first-appearance order, sorted by session


def test_sorted_by_session_ts_then_input_order() -> None:
    ev = events(item_id=["a", "b", "c", "d", "e"], session_id=["s2", "s1", "s2", "s1", "s2"],
                ts=[5, 9, 5, 1, 3])
    frame, items = encode([ev], None)
    order = [items.item_ids[i] for i in frame.item]
    assert order == ["e", "a", "c", "d", "b"]  # s2: ts 3, then the two ts-5 rows in input order
    assert np.all(np.diff(frame.session) >= 0)


def test_dense_codes_and_unknowns() -> None:
    ev = events(item_id=["a", "b", "c"], user_id=["u", None, "v"], order_id=["o1", "o1", None],
                session_id=["s", "s", "s"], region=["SE", None, "DE"], segment=[None, None, None],
                quantity=[2.0, 1.0, 1.0], price=[1.5, None, 2.0], type=[V, C, P])
    frame, _ = encode([ev], None)
    assert frame.user.tolist() == [0, -1, 1]
    assert frame.order.tolist() == [0, 0, -1]
    assert frame.regions == ["DE", "SE"] and frame.region.tolist() == [1, -1, 0]
    assert frame.segments == [] and frame.segment.tolist() == [-1, -1, -1]
    assert frame.kind.tolist() == [V, C, P] and frame.kind.dtype == np.int8
    assert frame.quantity.dtype == np.float32 and frame.quantity.tolist() == [2.0, 1.0, 1.0]
    assert frame.price.dtype == np.float32 and np.isnan(frame.price[1])
    assert frame.region.dtype == np.int32 and frame.segment.dtype == np.int32


def test_catalog_arrays() -> None:
    cat = catalog(item_id=["a", "b", "c"], category=["Toys", None, "Kitchen"], brand=["Z", "A", "Z"],
                  in_stock=[True, False, None], price=[1.0, None, 3.0], rating=[4.5, None, None],
                  review_count=[3, None, 0], margin=[0.2, None, None], created_at=[100, None, 5],
                  title=["A", None, "C"], currency=["EUR", "EUR", None])
    ev = events(item_id=["new", "new", "new", "new", "bare"], session_id=["s"] * 5,
                price=[4.0, 1.0, 3.0, 2.0, None])
    frame, items = encode([ev], cat)
    assert items.item_ids == ["a", "b", "c", "new", "bare"]
    assert items.categories == ["Kitchen", "Toys"] and items.category.tolist() == [1, -1, 0, -1, -1]
    assert items.brands == ["A", "Z"] and items.brand.tolist() == [1, 0, 1, -1, -1]
    assert items.in_stock.tolist() == [True, False, True, True, True]
    np.testing.assert_array_equal(items.price, np.array([1, np.nan, 3, 2.5, np.nan], np.float32))
    assert items.review_count.tolist() == [3, -1, 0, -1, -1]
    assert items.created_at.tolist() == [100, 0, 5, 0, 0]
    assert items.title == ["A", None, "C", None, None]
    assert items.currency == ["EUR", "EUR", None, None, None]
    assert items.price.dtype == np.float32 and items.category.dtype == np.int32
    assert len(items) == 5 and len(frame) == 5


def test_catalog_duplicates_last_wins() -> None:
    _, items = encode([], catalog(item_id=["a", "b", "a"], title=["old", "b", "new"]))
    assert items.item_ids == ["b", "a"] and items.title == ["b", "new"]


def test_no_events() -> None:
    frame, items = encode([], None)
    assert len(frame) == 0 and len(items) == 0
    assert frame.session.dtype == np.int64


def test_event_without_item_is_rejected() -> None:
    with pytest.raises(InputError, match="item_id"):
        encode([events(item_id=[None], session_id=["s"])], None)


def test_group_median() -> None:
    out = group_median(np.array([0, 1, 0, 0, 1, 3]), np.array([5.0, 2.0, 1.0, 3.0, 4.0, 7.0]), 4)
    np.testing.assert_array_equal(out, [3.0, 3.0, np.nan, 7.0])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 4), st.integers(0, 5), st.integers(0, 10_000)), min_size=1,
                max_size=60))
def test_sessions_are_contiguous_and_time_ordered(rows: list[tuple[int, int, int]]) -> None:
    ev = events(item_id=[f"i{r[1]}" for r in rows], user_id=[f"u{r[0]}" for r in rows],
                ts=[r[2] for r in rows])
    frame, items = encode([ev], None)
    s = frame.session
    assert np.all(np.diff(s) >= 0)
    assert set(s.tolist()) == set(range(int(s.max()) + 1))
    same = s[1:] == s[:-1]
    assert np.all(np.diff(frame.ts)[same] >= 0)
    assert np.all(np.diff(frame.ts)[same] <= SESSION_GAP)
    assert np.all(frame.user[1:][same] == frame.user[:-1][same])
    assert sorted(items.item_ids[i] for i in frame.item) == sorted(f"i{r[1]}" for r in rows)
