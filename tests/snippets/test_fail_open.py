"""Fail-open: whatever the API does, the page renders completely, the slots hide within a second, exactly one
warning is logged and nothing outside the slots changes."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import free_port
from tests.snippets.fakeshop import Canned, FakeShop, item, response

# Installed before any page script: records when each slot starts loading and is hidden, and every DOM change
# outside the slots once parsing is done (the snippet runs after that, being deferred).
WATCH = """
window.__outside = [];
window.__hiddenAt = [];
window.__loadingAt = [];
document.addEventListener('readystatechange', () => {
  if (document.readyState !== 'interactive') return;
  new MutationObserver((records) => {
    for (const r of records) {
      const t = r.target.nodeType === 1 ? r.target : r.target.parentElement;
      if (t && t.closest('skylt-slot')) {
        const now = performance.now();
        if (r.attributeName === 'hidden' && t.hidden) window.__hiddenAt.push(now);
        if (r.attributeName === 'data-state' && r.oldValue === null) window.__loadingAt.push(now);  // first state
      } else window.__outside.push((t ? t.tagName : '?') + ' ' + r.type);
    }
  }).observe(document.documentElement, {subtree: true, childList: true, attributes: true,
                                             attributeOldValue: true, characterData: true});
});
"""

BODY = """<h1 id="title">Product page</h1><p id="text">Everything here stays as it is.</p>
<skylt-slot page="product" item="85123A" slot="similar"></skylt-slot>
<p id="middle">Between the slots.</p>
<skylt-slot data-page="product" data-item="85123A" data-slot="bought_together"></skylt-slot>
<footer id="foot">Footer</footer>"""


def _api(shop: FakeShop, case: str) -> str | None:
    if case == "down":
        return f"http://127.0.0.1:{free_port()}"  # nothing listens there
    if case == "slow":
        valid = json.dumps(response(("similar", [item("1")]))).encode()
        return shop.api("slow", Canned(body=valid, delay=5.0))
    if case == "garbage":
        return shop.api("garbage", Canned(body=b"<html>Bad gateway</html>\x00\xff", content_type="text/html"))
    if case == "truncated":
        return shop.api("truncated", Canned(body=b'{"request_id": "r", "slots": [{"slot": "similar", "items": ['))
    if case == "wrong-shape":
        return shop.api("shape", Canned(body=b'{"slots": "none", "request_id": 5}'))
    if case == "server-error":
        return shop.api("error", Canned(status=500, body=b'{"status": 500}', content_type="application/problem+json"))
    return None  # "unconfigured": no api in SkyltConfig


@pytest.mark.parametrize("case", ["down", "slow", "garbage", "truncated", "wrong-shape", "server-error",
                                  "unconfigured"])
def test_a_failing_api_hides_the_slots_and_leaves_the_page_alone(page: Any, fake_shop: FakeShop, case: str) -> None:
    api = _api(fake_shop, case)
    config: dict[str, Any] = {"key": "k", "currency": "GBP"}
    if api is not None:
        config["api"] = api
    page.add_init_script(WATCH)
    # A theme that styles the element must not keep a failed slot on screen.
    theme = "<style>skylt-slot { display: block; min-height: 40px; }</style>"
    page.goto(fake_shop.page(f"fail-{case}", config, BODY, theme))
    page.wait_for_function("document.querySelectorAll('skylt-slot[hidden]').length === 2", timeout=3000)

    loading_at, hidden_at = page.evaluate("[window.__loadingAt, window.__hiddenAt]")
    # Within a second of asking (the timeout is 800 ms), whatever the API does; a loaded machine may start late.
    assert len(hidden_at) == 2 and max(hidden_at) - min(loading_at) < 1000, (loading_at, hidden_at)
    assert page.evaluate("window.__outside") == []
    assert page.inner_text("#text") == "Everything here stays as it is."
    assert page.is_visible("#foot") and page.is_visible("#middle")
    assert not page.is_visible("skylt-slot")
    assert page.evaluate("[...document.querySelectorAll('skylt-slot')].map(s => s.childNodes.length)") == [0, 0]
    assert page.skylt_log.errors == []
    warnings = page.skylt_log.of_type("warning")
    assert len(warnings) == 1 and warnings[0].startswith("Skylt: "), warnings


def test_a_slot_with_nothing_to_show_stays_hidden_without_a_warning(page: Any, fake_shop: FakeShop) -> None:
    api = fake_shop.api_json("empty", response(("similar", [])))
    page.goto(fake_shop.page("empty", {"api": api}, BODY))
    page.wait_for_function("[...document.querySelectorAll('skylt-slot')].every(s => s.dataset.state === 'ready')")
    assert page.evaluate("[...document.querySelectorAll('skylt-slot')].map(s => s.hidden)") == [True, True]
    assert page.skylt_log.of_type("warning") == [] and page.skylt_log.errors == []
