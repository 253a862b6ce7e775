"""Worked examples: each slot rule on the hand-made shop of tests/slots/shop.py, with the right
answer written down here (worked out by hand from the shop's tables), not computed by either
planner. The oracle (tests/slots/oracle) must agree as well."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from edge.config import Settings
from edge.schemas import PAGE_SLOTS, RecommendRequest
from edge.slots.context import build_context
from edge.slots.planner import plan
from edge.slots.served import serve
from edge.store import Snapshot, open_snapshot
from tests.slots.oracle.planner import plan_reference
from tests.slots.shop import write_shop


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Snapshot]:
    with open_snapshot(write_shop(tmp_path_factory.mktemp("shop"))) as snap:
        yield snap


def answer(snap: Snapshot, settings: Settings | None = None, control: bool = False,
           **fields: Any) -> dict[str, list[tuple[str, str]]]:
    """slot -> [(item id, reason)], planned by the served planner; the oracle must agree."""
    settings = settings or Settings()
    req = RecommendRequest(**fields)
    slots = tuple(s for s in PAGE_SLOTS[req.page] if req.slots is None or s in req.slots)
    ctx = build_context(snap, req)
    planned = plan(serve(snap, settings), ctx, slots, control)
    oracle = plan_reference(serve(snap, settings), ctx, slots, control)
    assert [(r.slot, r.title, r.picked.ids.tolist(), r.picked.scores.tolist(), r.picked.reasons)
            for r in planned] == [(r.slot, r.title, r.picked.ids.tolist(), r.picked.scores.tolist(),
                                   r.picked.reasons) for r in oracle]
    return {r.slot: [(snap.external_id(i), json.loads(reason))
                     for i, reason in zip(r.picked.ids.tolist(), r.picked.reasons, strict=True)] for r in planned}


def titles(snap: Snapshot, **fields: Any) -> dict[str, str]:
    req = RecommendRequest(**fields)
    ctx = build_context(snap, req)
    return {r.slot: r.title for r in plan(serve(snap), ctx, PAGE_SLOTS[req.page])}


def test_similar_ranks_the_blend_and_names_the_evidence(shop):
    assert answer(shop, page="product", item="M1", slots=["similar"], n=3)["similar"] == [
        ("M3", "Viewed together 7 times"), ("X1", "Viewed together 2 times"), ("M5", "Viewed together 4 times")]


def test_similar_blends_the_earlier_views_beside_the_item(shop):
    # On M4 after M1 (M4 repeated: it is the item, not an earlier view), similar weights also_viewed 1.0 and
    # bought_together 0.3. M4 alone (a half-life of 0): its bought-together rows x 0.3, P1 0.3, P2 0.27, B1 0.15; the
    # evidence tables (also_viewed, viewed_next, also_bought) do not link them, so "Similar to this item".
    # At a half-life of one view, M1 (one position back) weighs 0.5: M3 0.5, X1 0.475, M5 0.45, M2 0.4 join
    # (M4, content-similar to M1, is the item itself); the counts may come from M1, so "items you viewed".
    page = {"page": "product", "item": "M4", "history": ["M1", "M4"], "slots": ["similar"], "n": 6}
    assert answer(shop, Settings(similar_history_half_life=0.0), **page)["similar"][:3] == [
        ("P1", "Similar to this item"), ("P2", "Similar to this item"), ("B1", "Similar to this item")]
    near = Settings()  # the default: a half-life of one view
    assert near.similar_history_half_life == 1.0
    together = "Viewed together with items you viewed {} times"
    assert answer(shop, near, **page)["similar"] == [
        ("M3", together.format(7)), ("X1", together.format(2)), ("M5", together.format(4)), ("M2", together.format(3)),
        ("P1", "Similar to what you viewed"), ("P2", "Similar to what you viewed")]
    req = RecommendRequest(**page)
    [result] = plan(serve(shop, near), build_context(shop, req), ("similar",))
    assert [round(s, 5) for s in result.picked.scores.tolist()] == [0.5, 0.475, 0.45, 0.4, 0.3, 0.27]
    # Two views back at a half-life of two: 0.5 ** (2 / 2); the item alone, without a history, as before.
    far = Settings(similar_history_half_life=2.0)
    req = RecommendRequest(page="product", item="M4", history=["M1", "P3"], slots=["similar"], n=1)
    [result] = plan(serve(shop, far), build_context(shop, req), ("similar",))
    assert [round(s, 5) for s in result.picked.scores.tolist()] == [0.5]
    assert answer(shop, near, page="product", item="M4", slots=["similar"], n=1)["similar"] == [
        ("P1", "Similar to this item")]
    # Three views back M1 weighs 1/8, the floor: M3 at 0.125 after M4's own P1, P2, B1. Four back it is left
    # out: after M4's three the Mugs bestsellers follow (M1 seen, M4 the item), M2 first.
    back = {"page": "product", "item": "M4", "slots": ["similar"], "n": 4}
    got = answer(shop, near, history=["M1", "P3", "B3"], **back)["similar"]
    assert got[3] == ("M3", "Viewed together with items you viewed 7 times")
    [result] = plan(serve(shop, near), build_context(shop, RecommendRequest(
        history=["M1", "P3", "B3"], **back)), ("similar",))
    assert [round(s, 5) for s in result.picked.scores.tolist()] == [0.3, 0.27, 0.15, 0.125]
    got = answer(shop, near, history=["M1", "P3", "B3", "X1"], **back)["similar"]
    assert got[3] == ("M2", "Bought 3 times this month")


def test_alternatives_are_strictly_cheaper_and_a_better_margin_breaks_near_ties(shop):
    # M3 (8.00, score 1.0, margin 0) and M5 (9.99, score 0.9, margin 0.5: 0.9 x 1.5 = 1.35) are cheaper than
    # M1 (10.00); X1 costs exactly 10.00 and M2, M4, B2 more. The margin puts M5 first.
    got = answer(shop, page="product", item="M1", slots=["alternatives"], n=3)["alternatives"]
    assert got == [("M5", "Saves 0.01, similar item"), ("M3", "Saves 2.00, similar item")]
    req = RecommendRequest(page="product", item="M1", slots=["alternatives"], n=3)
    [result] = plan(serve(shop), build_context(shop, req), ("alternatives",))
    assert [round(s, 5) for s in result.picked.scores.tolist()] == [1.35, 1.0]


def test_upsell_stays_in_the_band_and_the_category(shop):
    # Band [1.1, 2.0] x 10.00 = [11, 20], inclusive; B2 (14.00) is in the band but a bag.
    assert answer(shop, page="product", item="M1", slots=["upsell"], n=5)["upsell"] == [
        ("M2", "A step up: 20% more, same category"), ("M4", "A step up: 100% more, same category")]
    narrow = Settings(upsell_band=(1.1, 1.5))
    assert answer(shop, narrow, page="product", item="M1", slots=["upsell"], n=5)["upsell"] == [
        ("M2", "A step up: 20% more, same category")]


def test_bought_together_falls_back_to_the_category_then_the_bestsellers(shop):
    # M1 was never bought with anything: Mugs bestsellers (M1 itself excluded), then the global list,
    # where B3 is out of stock.
    assert answer(shop, page="product", item="M1", slots=["bought_together"], n=8)["bought_together"] == [
        ("M4", "Bought once this week"), ("M2", "Bought 3 times this month"), ("M3", "Popular in this category"),
        ("M5", "Popular in this category"), ("X1", "Popular in this category"), ("P1", "Bought 2 times this week"),
        ("P2", "Bought once this month"), ("B2", "Bestseller")]


def test_the_cart_blends_what_was_bought_together(shop):
    assert answer(shop, page="cart", cart=["M4"], slots=["bought_together"], n=3)["bought_together"] == [
        ("P1", "Bought together 6 times"), ("P2", "Bought together 5 times"), ("B1", "Bought together 2 times")]


def test_the_cart_falls_back_on_its_categories_bestsellers_and_says_so(shop):
    # B2 was never bought with anything: its category fallback (weight 0.01 in the cart) offers B1 (B3 is out of
    # stock), explained by that table, not as bought together.
    assert answer(shop, page="cart", cart=["B2"], slots=["bought_together"], n=1)["bought_together"] == [
        ("B1", "Popular in this category, bought 6 times")]
    # Beside a co-occurrence it only adds 0.01 x 1.0: B1 stays third (0.5 x 0.5 + 0.01), and the bought-together
    # count explains it.
    assert answer(shop, page="cart", cart=["M4", "B2"], slots=["bought_together"], n=3)["bought_together"] == [
        ("P1", "Bought with your cart items 6 times"), ("P2", "Bought with your cart items 5 times"),
        ("B1", "Bought with your cart items 2 times")]


def test_addons_stay_under_the_cap(shop):
    # No gap: min(15, 0.25 x the cart's 20.00) = 5.00, so P2 (6.00) is too dear, and no bestseller fits.
    assert answer(shop, page="cart", cart=["M4"], slots=["addons"], n=5)["addons"] == [
        ("P1", "Often added to carts like yours (6 times)"), ("B1", "Often added to carts like yours (2 times)")]
    # A free-shipping gap of 3.00: items up to 1.5 x 3.00 = 4.50; those at 3.00 or more close the gap.
    assert answer(shop, page="cart", cart=["M4"], slots=["addons"], n=5, free_shipping_gap=3.0)["addons"] == [
        ("P1", "Gets you free shipping"), ("B1", "Often added to carts like yours (2 times)")]


def test_every_item_appears_in_one_slot_only(shop):
    # similar takes M3, X1, M5; upsell then M2, M4; nothing cheaper is left for alternatives; bought_together's
    # category fallback is used up, so it shows global bestsellers.
    assert answer(shop, page="product", item="M1", n=3) == {
        "similar": [("M3", "Viewed together 7 times"), ("X1", "Viewed together 2 times"),
                    ("M5", "Viewed together 4 times")],
        "upsell": [("M2", "A step up: 20% more, same category"), ("M4", "A step up: 100% more, same category")],
        "alternatives": [],
        "bought_together": [("P1", "Bought 2 times this week"), ("P2", "Bought once this month"), ("B2", "Bestseller")],
    }


def test_own_item_slots_show_the_history_newest_first_but_not_the_cart(shop):
    # B3 is out of stock and P1 is in the cart.
    got = answer(shop, page="home", history=["M1", "B3", "P1", "M2"], cart=["P1"], slots=["recently_viewed"], n=5)
    assert got["recently_viewed"] == [("M2", "You viewed this"), ("M1", "You viewed this")]
    # Other slots never show the history.
    got = answer(shop, page="home", history=["M1", "P1"], slots=["bestsellers"], n=2)
    assert got["bestsellers"] == [("M4", "Bought once this week"), ("M2", "Bought 3 times this month")]


def test_max_per_category_spreads_a_slot(shop):
    got = answer(shop, Settings(max_per_category=1), page="home", slots=["bestsellers"], n=3)
    assert got["bestsellers"] == [("M1", "Bought 5 times this week"), ("P1", "Bought 2 times this week"),
                                  ("B2", "Bestseller")]


def test_segment_then_region_then_global_bestsellers(shop):
    got = answer(shop, page="home", segment="b2b", region="SE", slots=["bestsellers"], n=5)
    assert got["bestsellers"] == [("P3", "Bestseller"), ("B1", "Bestseller"), ("B2", "Bestseller"),
                                  ("P2", "Bought once this month"), ("M1", "Bought 5 times this week")]
    # NO has no list of its own; an unknown segment is no segment.
    got = answer(shop, page="home", segment="nobody", region="NO", slots=["bestsellers"], n=2)
    assert got["bestsellers"] == [("M1", "Bought 5 times this week"), ("P1", "Bought 2 times this week")]


def test_trending_says_what_was_bought_or_viewed(shop):
    assert answer(shop, page="home", slots=["trending"], n=3)["trending"] == [
        ("P2", "Trending: viewed 4 times this week"), ("M2", "Trending"), ("M1", "Bought 5 times this week")]


def test_for_you_blends_the_history(shop):
    assert answer(shop, page="home", history=["M1"], slots=["for_you"], n=3)["for_you"] == [
        ("M3", "Viewed together with your picks 7 times"), ("X1", "Viewed together with your picks 2 times"),
        ("M5", "Viewed together with your picks 4 times")]


def test_the_favourite_category_weighs_recent_views_more(shop):
    # Half-life 4 views: M2 (2 views ago) 0.71 against P1 0.84 + P2 1.0 for Plates.
    got = answer(shop, page="home", history=["M2", "P1", "P2"], slots=["category_picks"], n=2)
    assert got["category_picks"] == [("P3", "Popular in this category"), ("M1", "Bought 5 times this week")]
    assert titles(shop, page="home", history=["M2", "P1", "P2"])["category_picks"] == "Popular in Plates"
    assert titles(shop, page="home", history=["P1", "M2", "M3"])["category_picks"] == "Popular in Mugs"
    # No history: the top bestseller's category.
    assert titles(shop, page="home")["category_picks"] == "Popular in Mugs"


def test_the_control_bucket_fills_every_slot_with_bestsellers(shop):
    got = answer(shop, control=True, page="product", item="M1", n=2)
    assert got == {
        "similar": [("P1", "Bought 2 times this week"), ("M4", "Bought once this week")],
        "upsell": [("M2", "Bought 3 times this month"), ("P2", "Bought once this month")],
        "alternatives": [("B2", "Bestseller"), ("M3", "Bestseller")],
        "bought_together": [("B1", "Bestseller"), ("P3", "Bestseller")],
    }


def test_a_context_from_dense_ids_plans_like_a_request(shop):
    """What the offline evaluation calls: no external ids, the same answer."""
    from edge.slots.context import dense_context

    ids = {shop.external_id(i): i for i in range(shop.n_items)}
    req = RecommendRequest(page="product", item="M1", history=["M2", "P1", "M2"], cart=["M4"], n=3)
    ctx = dense_context("product", 3, item=ids["M1"], history=[ids["M2"], ids["P1"], ids["M2"]], cart=[ids["M4"]])
    assert ctx.history.tolist() == [ids["P1"], ids["M2"]] and ctx.anchor.tolist() == [ids["M1"]]
    served = serve(shop)
    slots = PAGE_SLOTS["product"]
    dense = [(r.slot, r.picked.ids.tolist(), r.picked.reasons) for r in plan(served, ctx, slots)]
    built = [(r.slot, r.picked.ids.tolist(), r.picked.reasons) for r in plan(served, build_context(shop, req), slots)]
    assert dense == built and any(picked for _, picked, _ in dense)
