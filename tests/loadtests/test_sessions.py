"""Journeys built from events: the request mix every load figure depends on."""

import pyarrow as pa

from edge.build.frames import EVENTS_SCHEMA, EventType
from loadtests.sessions import HISTORY_CAP, MAX_PRODUCT_STEPS, item_ids, journey, journeys

VIEW, CART, PURCHASE, REMOVE = int(EventType.VIEW), int(EventType.CART), int(EventType.PURCHASE), int(EventType.REMOVE)


def params(step):
    return dict(step.params)


def test_history_grows_most_recent_last_and_is_capped():
    items = [f"i{n}" for n in range(HISTORY_CAP + 8)]
    j = journey("s", [(VIEW, i) for i in items])
    products = [s for s in j.steps if s.page == "product"]
    assert [params(s)["item"] for s in products] == items
    for k, step in enumerate(products):
        expected = items[max(0, k - HISTORY_CAP):k]
        assert params(step).get("history", "") == ",".join(expected)
    assert len(params(products[-1])["history"].split(",")) == HISTORY_CAP


def test_a_viewed_again_item_moves_to_the_end_of_the_history():
    j = journey("s", [(VIEW, "a"), (VIEW, "b"), (VIEW, "a"), (VIEW, "c")])
    assert params(j.steps[-1])["history"] == "b,a"


def test_journey_starts_at_home_and_ends_at_cart_and_checkout_after_a_purchase():
    j = journey("o1", [(PURCHASE, "a"), (PURCHASE, "b"), (PURCHASE, "b")], user="u7", region="UK")
    assert [s.page for s in j.steps] == ["home", "product", "product", "cart", "checkout"]
    assert params(j.steps[0]) == {"user": "u7", "region": "UK"}
    assert params(j.steps[2])["cart"] == "a"          # the cart before b is added
    assert params(j.steps[3])["cart"] == "a,b"
    assert j.steps[4].events == ((PURCHASE, "a"), (PURCHASE, "b"))


def test_browsing_without_a_cart_has_no_cart_page_and_a_removed_item_leaves_the_cart():
    assert [s.page for s in journey("s", [(VIEW, "a"), (VIEW, "b")]).steps] == ["home", "product", "product"]
    j = journey("s", [(VIEW, "a"), (CART, "a"), (VIEW, "b"), (CART, "b"), (REMOVE, "a")])
    # Adding the item just viewed is no new page; the cart page shows only what is left.
    assert [s.page for s in j.steps] == ["home", "product", "product", "cart"]
    assert params(j.steps[-1])["cart"] == "b"


def test_product_pages_per_journey_are_capped():
    j = journey("big", [(PURCHASE, f"i{n}") for n in range(MAX_PRODUCT_STEPS + 20)])
    assert sum(s.page == "product" for s in j.steps) == MAX_PRODUCT_STEPS


def test_journeys_group_by_session_else_order_else_user_in_time_order():
    rows = [  # ts, type, item, session, user, order
        (30, VIEW, "x3", "s1", None, None),
        (10, VIEW, "x1", "s1", None, None),
        (20, PURCHASE, "y1", None, "u1", "o1"),
        (25, PURCHASE, "y2", None, "u1", "o1"),
        (5, VIEW, "z1", None, "u2", None),
        (20, VIEW, "x2", "s1", None, None),
    ]
    cols = list(zip(*rows, strict=True))
    n = len(rows)
    table = pa.Table.from_arrays(
        [pa.array(cols[0], pa.int64()), pa.array(cols[1], pa.int8()), pa.array(cols[2]), pa.array(cols[3], pa.string()),
         pa.array(cols[4], pa.string()), pa.array(cols[5], pa.string()), pa.array([1.0] * n),
         pa.nulls(n, pa.float64()), pa.nulls(n, pa.string()), pa.nulls(n, pa.string())], schema=EVENTS_SCHEMA)
    out = journeys(table)
    assert [j.key for j in out] == ["u2", "s1", "o1"]  # by session start
    s1 = out[1]
    assert [params(s)["item"] for s in s1.steps if s.page == "product"] == ["x1", "x2", "x3"]
    assert item_ids(out) == ["z1", "x1", "x2", "x3", "y1", "y2"]
    assert item_ids(out, limit=2) == ["z1", "x1"]


def test_anonymous_journeys_drop_the_user_and_keep_everything_else():
    from loadtests.sessions import anonymous

    j = journey("s", [(VIEW, "a"), (CART, "b")], user="u1", region="SE")
    (a,) = anonymous([j])
    assert a.key == j.key and len(a.steps) == len(j.steps)
    for old, new in zip(j.steps, a.steps, strict=True):
        assert params(old).pop("user") == "u1"
        assert "user" not in params(new)
        assert {k: v for k, v in old.params if k != "user"} == params(new) and new.events == old.events
