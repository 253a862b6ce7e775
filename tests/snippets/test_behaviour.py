"""The snippet against a canned API: what it asks for, when, what it stores, and the headless paths."""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.snippets.fakeshop import FakeShop, Post, item, response

DATA = response(("similar", [item("a"), item("b")]), ("upsell", [item("c")]), request_id="rid-7")


def _posts(shop: FakeShop, api_name: str, count: int, timeout: float = 4.0) -> list[Post]:
    """The event posts to one canned API, once there are ``count`` of them (or the timeout passed)."""
    deadline = time.monotonic() + timeout
    while True:
        posts = [p for p in shop.posts if p.path.startswith(f"/api/{api_name}/")]
        if len(posts) >= count or time.monotonic() > deadline:
            return posts
        time.sleep(0.05)


def _recommend_queries(shop: FakeShop, api_name: str) -> list[dict[str, list[str]]]:
    return [parse_qs(urlsplit(p).query) for p in shop.requests if p.startswith(f"/api/{api_name}/v1/recommend")]


def test_fetches_only_near_the_viewport_with_history_and_cart(page: Any, fake_shop: FakeShop) -> None:
    api = fake_shop.api_json("lazy", DATA)
    body = ('<skylt-slot page="product" item="p1" n="4"></skylt-slot>'
            '<div style="height: 5000px"></div><skylt-slot id="far" page="cart" slot="reminders"></skylt-slot>')
    page.goto(fake_shop.page("lazy", {"api": api}, body))
    page.wait_for_selector("skylt-slot[data-state=ready] .skylt-card")
    page.evaluate("Skylt.cart.add('z9'); Skylt.cart.add('c1')")
    page.wait_for_timeout(300)
    queries = _recommend_queries(fake_shop, "lazy")
    assert len(queries) == 1  # the far slot has not asked yet
    assert queries[0] == {"page": ["product"], "item": ["p1"], "history": ["p1"], "n": ["4"]}
    page.evaluate("document.getElementById('far').scrollIntoView()")
    page.wait_for_selector("#far[data-state=ready]")
    queries = _recommend_queries(fake_shop, "lazy")
    # The cart goes sorted so equal carts share cache entries; history most recent last.
    assert queries[1] == {"page": ["cart"], "cart": ["c1,z9"], "history": ["p1"], "slots": ["reminders"]}


def test_history_is_bounded_deduplicated_and_expires(page: Any, fake_shop: FakeShop) -> None:
    api = fake_shop.api_json("store", DATA)
    page.goto(fake_shop.page("store", {"api": api, "consent": True}, ""))
    page.wait_for_function("window.Skylt")
    old = json.dumps({"v": [["stale", 0], ["fresh", 9e15]], "c": [["gone", 1]]})
    page.evaluate(f"localStorage.setItem('skylt', {json.dumps(old)})")
    assert page.evaluate("Skylt.history()") == ["fresh"]  # 30 days old (and older) is forgotten
    assert page.evaluate("Skylt.cart.items()") == []
    page.evaluate("for (let i = 0; i < 25; i++) Skylt.view('v' + i); Skylt.view('v10')")
    history = page.evaluate("Skylt.history()")
    assert len(history) == 20 and history[-1] == "v10" and history.count("v10") == 1 and "v0" not in history


def test_event_renderer_hands_the_data_to_the_page(page: Any, fake_shop: FakeShop) -> None:
    api = fake_shop.api_json("headless", DATA)
    head = ("<script>window.__got = []; document.addEventListener('skylt:data', e => "
            "window.__got.push({slots: e.detail.slots.map(s => s.slot), rid: e.detail.request_id}));</script>")
    page.goto(fake_shop.page("headless", {"api": api, "renderer": "event"},
                             '<skylt-slot page="product" item="p1"></skylt-slot>', head))
    page.wait_for_selector("skylt-slot[data-state=ready]", state="attached")
    assert page.evaluate("window.__got") == [{"slots": ["similar", "upsell"], "rid": "rid-7"}]
    assert page.evaluate("document.querySelector('skylt-slot').childNodes.length") == 0


def test_a_listener_can_take_over_rendering_of_one_slot(page: Any, fake_shop: FakeShop) -> None:
    api = fake_shop.api_json("takeover", DATA)
    head = ("<script>document.addEventListener('skylt:data', e => { if (e.target.id !== 'own') return;"
            " e.preventDefault(); e.target.textContent = e.detail.slots.length + ' rows'; });</script>")
    page.goto(fake_shop.page("takeover", {"api": api}, '<skylt-slot id="own" page="product" item="p1"></skylt-slot>'
                             '<skylt-slot id="default" page="product" item="p1"></skylt-slot>', head))
    page.wait_for_selector("#default .skylt-card")
    assert page.text_content("#own") == "2 rows"
    assert page.eval_on_selector_all("#default section", "els => els.map(e => e.dataset.slot)") == \
        ["similar", "upsell"]


def test_esm_recommend_builds_the_same_urls_and_rejects_failures(page: Any, fake_shop: FakeShop) -> None:
    api = fake_shop.api_json("esm", DATA)
    page.goto(fake_shop.page("esm", {"api": api}, ""))
    page.wait_for_function("window.Skylt")
    contexts = [{"page": "home"}, {"page": "cart", "cart": ["b", "a", ""], "history": ["z", "y"], "n": 3},
                {"page": "product", "item": "x&y=1", "slots": ["similar", "upsell"], "exclude": ["q"],
                 "price_min": 0, "price_max": 9.5, "category": "Kitchen > Mugs"}]
    same = page.evaluate("""async (contexts) => {
      const m = await import('/skylt.mjs');
      return contexts.map(c => [m.query(c), Skylt.query(c)]);
    }""", contexts)
    assert all(a == b for a, b in same), same
    assert same[1][0] == "page=cart&cart=a%2Cb&history=z%2Cy&n=3"
    got = page.evaluate("""async () => {
      const m = await import('/skylt.mjs');
      Skylt.view('seen');
      const data = await m.recommend({page: 'home'});
      let failed = null;
      try { await m.recommend({page: 'home', api: location.origin + '/api/missing'}); }
      catch (e) { failed = e.message; }
      return [data.request_id, failed];
    }""")
    assert got == ["rid-7", "Skylt: HTTP 404"]
    # Without a history of its own, recommend() sent what skylt.js had stored.
    assert _recommend_queries(fake_shop, "esm")[-1] == {"page": ["home"], "history": ["seen"]}


def test_events_go_in_batches_with_the_key_header_also_when_leaving(page: Any, fake_shop: FakeShop) -> None:
    api = fake_shop.api_json("ingest", DATA, cross=True)  # another origin: every post is preflighted
    page.goto(fake_shop.page("ingest", {"api": api, "key": "pk-1", "consent": True},
                             "<a id='away' href='/page/ingest'>away</a>"))
    page.wait_for_function("window.Skylt")
    page.evaluate("for (let i = 0; i < 25; i++) Skylt.view('v' + i)")
    assert len(_posts(fake_shop, "ingest", 1)) == 1  # the 20th event sends the batch at once
    posts = _posts(fake_shop, "ingest", 2)  # the other five after two seconds
    assert [len(p.body["events"]) for p in posts] == [20, 5]
    assert {(p.path, p.key, p.content_type) for p in posts} == {("/api/ingest/v1/events", "pk-1", "application/json")}
    events = posts[0].body["events"] + posts[1].body["events"]
    assert [e["item"] for e in events] == [f"v{i}" for i in range(25)]
    assert {e["type"] for e in events} == {"view"} and len({e["session"] for e in events}) == 1
    assert all(isinstance(e["ts"], int) for e in events)

    page.evaluate("Skylt.cart.add('c1', {quantity: 2})")
    page.click("#away")  # leaving the page: the queued event goes by keepalive fetch, the key still in the header
    leaving = _posts(fake_shop, "ingest", 3)[2]
    assert (leaving.path, leaving.key, leaving.content_type) == ("/api/ingest/v1/events", "pk-1", "application/json")
    assert [(e["type"], e["item"], e["quantity"]) for e in leaving.body["events"]] == [("cart", "c1", 2)]
    assert not any("key=" in r for r in fake_shop.requests)


def test_the_shops_own_block_stays_unless_skylt_renders(page: Any, fake_shop: FakeShop) -> None:
    """replaces="<selector>": our rows replace the shop's own; a control answer (no slots) or a failure keeps it."""
    cases = {"ours": fake_shop.api_json("replace-ours", DATA),
             "control": fake_shop.api_json("replace-control", {**response(), "bucket": "control"}),
             "down": "http://127.0.0.1:9"}
    for name, api in cases.items():
        page.goto(fake_shop.page(f"replace-{name}", {"api": api}, '<div id="related">Related products</div>'
                                 '<skylt-slot page="product" item="p1" replaces="#related"></skylt-slot>'))
        page.wait_for_selector("skylt-slot[data-state=ready], skylt-slot[data-state=error]", state="attached")
        assert page.is_visible("#related") == (name != "ours"), name
        assert page.is_visible("skylt-slot .skylt-card") == (name == "ours"), name
    queries = _recommend_queries(fake_shop, "replace-ours")
    assert queries[-1]["control"] == ["shop"]  # a control shopper gets no slots, and keeps the shop's block
    assert page.skylt_log.errors == []
