"""Consent and identity in real Chromium, against an API on another origin (CORS preflights included): before consent
no event, no identity and no storage; after it events carry the key in a header and the signed identity; after
withdrawal nothing more leaves and what was stored is gone; `user` never leaves without its `userToken`."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.snippets.fakeshop import FakeShop, Get, Post, item, response

DATA = response(("similar", [item("a"), item("b")]), request_id="rid-c")
KEY = "pk-consent-tests-0001"
USER = "4711"
TOKEN = "v1.1893456000.NQjgjxqJ832xUCrKrXdHiHlCX4WXrrsKa5vPwIyUHdg"  # the published test vector (docs/api.md)
SHOPPER = {"key": KEY, "user": USER, "userToken": TOKEN, "experiment": True}
BODY = '<skylt-slot page="product" item="p1"></skylt-slot><a id="away" href="/page/{away}">away</a>'
# Every way the snippet could send or keep something, exercised while consent may or may not be given.
EVERYTHING = """Skylt.view('v1'); Skylt.cart.add('c1', {quantity: 2}); Skylt.cart.remove('c1');
  Skylt.click('a', 'rid-c', 'similar'); Skylt.purchase('o1', [{id: 'a', quantity: 1, price: 2.5}]); Skylt.flush()"""

# Installed before any page script: logs every storage and cookie access, every fetch and beacon.
SPY = """(() => {
  const spy = window.__spy = {storage: [], fetch: [], beacons: []};
  for (const m of ['getItem', 'setItem', 'removeItem', 'clear', 'key']) {
    const orig = Storage.prototype[m];
    Storage.prototype[m] = function (...a) {
      spy.storage.push([this === localStorage ? 'local' : 'session', m, String(a[0])]);
      return orig.apply(this, a);
    };
  }
  const cookie = Object.getOwnPropertyDescriptor(Document.prototype, 'cookie');
  Object.defineProperty(Document.prototype, 'cookie', {configurable: true,
    get() { spy.storage.push(['cookie', 'get', '']); return cookie.get.call(this); },
    set(v) { spy.storage.push(['cookie', 'set', String(v)]); cookie.set.call(this, v); }});
  const fetch = window.fetch;
  window.fetch = function (url, init = {}) {
    spy.fetch.push({url: String(url), method: init.method || 'GET', keepalive: !!init.keepalive,
                    headers: init.headers || {}, bytes: init.body ? new Blob([init.body]).size : 0});
    return fetch.apply(this, arguments);
  };
  navigator.sendBeacon = function (url) { spy.beacons.push(String(url)); return true; };
})();"""


def _wait(found: Any, what: str, timeout: float = 5.0) -> Any:
    """found() once it is truthy, polled against a deadline."""
    deadline = time.monotonic() + timeout
    while not (got := found()):
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)
    return got


def _posts(shop: FakeShop, name: str) -> list[Post]:
    return [p for p in shop.posts if p.path.startswith(f"/api/{name}/")]


def _recommends(shop: FakeShop, name: str) -> list[Get]:
    return [g for g in shop.gets if g.path.startswith(f"/api/{name}/v1/recommend")]


def _query(get: Get) -> dict[str, list[str]]:
    return parse_qs(urlsplit(get.path).query)


def _anonymous(get: Get) -> bool:
    query = _query(get)
    return "user" not in query and "session" not in query and "x-skylt-user-token" not in get.headers \
        and "user_token" not in query


def _open(page: Any, shop: FakeShop, name: str, config: dict[str, Any], away: str = "") -> str:
    api = shop.api_json(name, DATA, cross=True)
    page.add_init_script(SPY)
    page.goto(shop.page(name, {**config, "api": api}, BODY.format(away=away or name)))
    page.wait_for_selector("skylt-slot[data-state=ready] .skylt-card")  # recommendations show regardless
    return api


def test_before_consent_nothing_is_sent_kept_or_read_and_the_request_is_anonymous(page: Any,
                                                                                   fake_shop: FakeShop) -> None:
    # A page the shopper leaves to: it sends one event of its own, so anything the first page sent on leaving
    # would have arrived before it.
    sentinel = fake_shop.api_json("before-next", DATA)
    fake_shop.page("before-next", {"api": sentinel, "key": KEY, "consent": True}, "")
    _open(page, fake_shop, "before", SHOPPER, away="before-next")
    page.evaluate(EVERYTHING)

    assert page.evaluate("Skylt.consented()") is False  # the default is consent required
    assert page.evaluate("Skylt.history()") == ["p1", "v1"]  # this page's views, in memory only
    spy = page.evaluate("window.__spy")
    assert [f["url"] for f in spy["fetch"] if "/v1/events" in f["url"]] == [] and spy["beacons"] == []
    # The one storage access is reading the consent flag: nothing identifying is read, nothing is written.
    assert {tuple(a) for a in spy["storage"]} == {("local", "getItem", "skylt:consent")}
    assert page.evaluate("[localStorage.length, sessionStorage.length, document.cookie]") == [0, 0, ""]
    [get] = _recommends(fake_shop, "before")
    assert _anonymous(get) and _query(get)["item"] == ["p1"]

    page.click("#away")
    page.wait_for_function("window.Skylt")
    page.evaluate("Skylt.view('n1'); Skylt.flush()")
    _wait(lambda: _posts(fake_shop, "before-next"), "the next page's event")
    assert _posts(fake_shop, "before") == []  # leaving the page sent nothing either


def test_after_consent_events_carry_the_key_header_and_the_signed_identity(page: Any, fake_shop: FakeShop) -> None:
    api = _open(page, fake_shop, "given", SHOPPER)
    assert page.evaluate("Skylt.consent(true)") is True
    page.evaluate(f"async () => {{ {EVERYTHING}; await Skylt.refresh(); }}")

    posts = _wait(lambda: _posts(fake_shop, "given"), "the events")
    assert {(p.path, p.key, p.content_type) for p in posts} == {("/api/given/v1/events", KEY, "application/json")}
    events = [e for p in posts for e in p.body["events"]]
    assert [e["type"] for e in events] == ["view", "cart", "remove", "click", "purchase"]
    assert {(e["user"], e["user_token"]) for e in events} == {(USER, TOKEN)}
    assert len({e["session"] for e in events}) == 1
    # The key and the token travel in headers only, never in a URL.
    spy = page.evaluate("window.__spy")
    sent = [f for f in spy["fetch"] if "/v1/events" in f["url"]]
    assert sent and all(f["keepalive"] and f["url"] == f"{api}/v1/events" and f["method"] == "POST" for f in sent)
    assert spy["beacons"] == []
    first, again = _recommends(fake_shop, "given")
    assert _anonymous(first)  # the page loaded before the consent
    assert _query(again)["user"] == [USER] and _query(again)["session"] == [events[0]["session"]]
    assert again.headers["x-skylt-user-token"] == TOKEN and TOKEN not in again.path
    assert all(KEY not in g.path for g in fake_shop.gets)
    # Another origin: the browser asked, and the server's CORS allows, the identity header.
    asked = {g.headers.get("access-control-request-headers", "") for g in fake_shop.preflights
             if g.path.startswith("/api/given/v1/recommend")}
    assert "x-skylt-user-token" in ",".join(asked)
    assert page.evaluate("localStorage.getItem('skylt:consent')") == "1"
    assert page.evaluate("JSON.parse(localStorage.getItem('skylt')).v.map(e => e[0])") == ["p1", "v1"]

    page.reload()  # remembered: the next page is personalized from the start
    page.wait_for_selector("skylt-slot[data-state=ready] .skylt-card")
    latest = _recommends(fake_shop, "given")[-1]
    assert _query(latest)["user"] == [USER] and latest.headers["x-skylt-user-token"] == TOKEN


def test_withdrawal_stops_events_and_identity_at_once_and_clears_storage(page: Any, fake_shop: FakeShop) -> None:
    _open(page, fake_shop, "withdrawn", SHOPPER)
    page.evaluate("Skylt.consent(true); Skylt.view('v1')")  # queued, not yet sent
    assert page.evaluate("localStorage.length") == 2
    assert page.evaluate("Skylt.consent(false)") is False
    assert page.evaluate("[localStorage.length, sessionStorage.length, document.cookie]") == [0, 0, ""]
    assert page.evaluate("Skylt.history()") == []
    mark = page.evaluate("window.__spy.storage.length")
    page.evaluate(f"async () => {{ {EVERYTHING}; await Skylt.refresh(); }}")

    spy = page.evaluate("window.__spy")
    assert [f for f in spy["fetch"] if "/v1/events" in f["url"]] == []  # the queued view was dropped too
    assert {tuple(a) for a in spy["storage"][mark:]} <= {("local", "getItem", "skylt:consent")}
    assert _anonymous(_recommends(fake_shop, "withdrawn")[-1])
    page.reload()  # the withdrawal holds on the next page
    page.wait_for_selector("skylt-slot[data-state=ready] .skylt-card")
    page.evaluate(EVERYTHING)
    assert _anonymous(_recommends(fake_shop, "withdrawn")[-1]) and page.evaluate("localStorage.length") == 0
    assert _posts(fake_shop, "withdrawn") == []


def test_user_never_leaves_without_its_token(page: Any, fake_shop: FakeShop) -> None:
    """consent: true (a shop that collects consent elsewhere: the old behaviour, only by explicit config) and a
    user but no userToken: events and requests go, anonymous."""
    _open(page, fake_shop, "tokenless", {"key": KEY, "user": USER, "consent": True})
    page.evaluate(EVERYTHING)
    got = page.evaluate("""async () => {
      const m = await import('/skylt.mjs');
      await Skylt.recommend({page: 'home', user: '4711'});
      await m.recommend({page: 'home', user: '4711'});
      await m.recommend({page: 'home', user: '4711', userToken: ''});
      return localStorage.getItem('skylt') !== null;
    }""")
    assert got  # consent given by configuration: the history is kept
    events = [e for p in _wait(lambda: _posts(fake_shop, "tokenless"), "the events") for e in p.body["events"]]
    assert events and all("user" not in e and "user_token" not in e for e in events)
    gets = _recommends(fake_shop, "tokenless")
    assert len(gets) == 4 and all("user" not in _query(g) and "x-skylt-user-token" not in g.headers for g in gets)


def test_the_module_sends_the_user_with_its_token_and_only_with_consent(page: Any, fake_shop: FakeShop) -> None:
    _open(page, fake_shop, "esm-identity", SHOPPER)
    call = """async () => { const m = await import('/skylt.mjs'); await m.recommend({page: 'home'}); }"""
    page.evaluate(call)  # skylt.js on the page, no consent yet
    page.evaluate("Skylt.consent(true)")
    page.evaluate(call)
    _, before, after = _recommends(fake_shop, "esm-identity")
    assert _anonymous(before)
    assert _query(after)["user"] == [USER] and after.headers["x-skylt-user-token"] == TOKEN


def test_consent_false_in_the_config_wins_over_a_call(page: Any, fake_shop: FakeShop) -> None:
    _open(page, fake_shop, "refused", {**SHOPPER, "consent": False})
    assert page.evaluate("Skylt.consent(true)") is False
    page.evaluate(EVERYTHING)
    assert page.evaluate("[localStorage.length, window.__spy.fetch.filter(f => f.url.includes('/v1/events'))]") \
        == [0, []]
    assert _anonymous(_recommends(fake_shop, "refused")[-1])


def test_large_batches_split_within_the_keepalive_budget_and_nothing_is_lost(page: Any, fake_shop: FakeShop) -> None:
    _open(page, fake_shop, "budget", {"key": KEY, "consent": True})
    # 40 impressions of 50 long ids each: about 110 KB of events, more than keepalive lets a page have in flight.
    page.evaluate("""() => {
      const ids = (s) => Array.from({length: 50}, (_, i) => `${s}-${i}-` + 'x'.repeat(40));
      Skylt.impressions({request_id: 'r', page: 'home', slots: Array.from({length: 40},
        (_, s) => ({slot: 'slot' + s, items: ids(s).map((id) => ({id}))}))});
      Skylt.flush();
    }""")
    sent = [f for f in page.evaluate("window.__spy.fetch") if "/v1/events" in f["url"]]
    assert len(sent) >= 5 and all(f["bytes"] <= 16384 + 16 for f in sent)
    assert sum(f["bytes"] for f in sent if f["keepalive"]) <= 65536 < sum(f["bytes"] for f in sent)
    assert sent[0]["keepalive"] and not sent[-1]["keepalive"]  # over the budget: a plain fetch, not a failure

    def arrived() -> list[str]:
        return [e["slot"] for p in _posts(fake_shop, "budget") for e in p.body["events"] if e.get("request_id") == "r"]
    _wait(lambda: len(arrived()) >= 40, "the impressions")
    assert sorted(arrived()) == sorted(f"slot{s}" for s in range(40))
