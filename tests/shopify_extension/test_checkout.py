"""The checkout UI extension (plugins/shopify/extensions/skylt-checkout): it type-checks against the locked
@shopify/ui-extensions (each entry against its own target's API), each target builds offline with Preact under
Shopify's 64 KB limit, and its logic asks the server, fails closed to nothing on any error or after 800 ms, adds a
product's default variant to the order, and sends events the server accepts, only with the buyer's consent."""

from __future__ import annotations

import json
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import msgspec
import pytest

from edge.events.schemas import Event
from tests.shopify_extension.conftest import APP, needs_packages, node, run_script

CHECKOUT = APP / "extensions" / "skylt-checkout"
ENTRIES = {"purchase.checkout.block.render": "Checkout.jsx", "purchase.thank-you.block.render": "ThankYou.jsx",
           "customer-account.order-status.block.render": "OrderStatus.jsx"}
BIN = APP / "node_modules" / ".bin"


@pytest.fixture(scope="module")
def logic() -> dict[str, Any]:
    return dict(json.loads(run_script("checkout-logic.mjs", {})))


def test_the_extension_declares_its_targets_network_access_and_settings() -> None:
    config = tomllib.loads((CHECKOUT / "shopify.extension.toml").read_text())
    [extension] = config["extensions"]
    assert {t["target"]: t["module"] for t in extension["targeting"]} == {k: f"./src/{v}" for k, v in ENTRIES.items()}
    assert extension["capabilities"] == {"network_access": True, "api_access": True}
    assert {f["key"] for f in extension["settings"]["fields"]} == {"api_url", "public_key", "slot", "items", "heading"}
    locked = json.loads((APP / "package-lock.json").read_text())["packages"]
    assert "node_modules/@shopify/ui-extensions" in locked and "node_modules/preact" in locked
    year, month = config["api_version"].split("-")  # the library's version names the API version it types
    assert locked["node_modules/@shopify/ui-extensions"]["version"].startswith(f"{year}.{int(month)}.")


def test_it_type_checks_each_target_against_its_api() -> None:
    needs_packages("typescript", "@shopify/ui-extensions", "preact")
    proc = subprocess.run([node(), str(APP / "node_modules" / "typescript" / "bin" / "tsc"), "--noEmit", "-p",
                           str(CHECKOUT)], capture_output=True, text=True, timeout=300, cwd=APP)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize("target", list(ENTRIES))
def test_each_target_builds_offline_under_64_kb(tmp_path: Path, target: str) -> None:
    needs_packages("esbuild", "@shopify/ui-extensions", "preact")
    out = tmp_path / "index.js"
    proc = subprocess.run([str(BIN / "esbuild"), str(CHECKOUT / "src" / ENTRIES[target]), "--bundle", "--minify",
                           "--format=esm", "--jsx=automatic", "--jsx-import-source=preact", f"--outfile={out}"],
                          capture_output=True, text=True, timeout=120, cwd=APP)
    assert proc.returncode == 0, proc.stderr
    bundle = out.read_text()
    assert 0 < len(bundle.encode()) < 64_000
    assert "/v1/recommend" in bundle
    # Only the checkout block can change the order; the thank-you and order-status pages cannot.
    assert ("applyCartLinesChange" in bundle) == (target == "purchase.checkout.block.render")


def test_it_asks_for_the_orders_products_and_keeps_only_safe_items(logic: dict[str, Any]) -> None:
    [asked] = logic["requested"]
    assert asked == {"url": "https://reco.shop.example/v1/recommend?page=checkout&slots=bought_together&n=3"
                            "&cart=7001%2C7004", "credentials": "omit"}
    items = logic["request"]["slots"][0]["items"]
    assert [i["id"] for i in items] == ["7002", "7003"]  # a gid is read as its number; a non-number is dropped
    assert "image" not in items[1]  # a javascript: image is never drawn


@pytest.mark.parametrize("case", ["error", "garbage", "thrown", "hanging", "noApi"])
def test_it_fails_closed_to_nothing(logic: dict[str, Any], case: str) -> None:
    assert logic[case] == logic["nothing"] == {"requestId": "", "slots": []}


def test_a_server_that_never_answers_is_given_up_on_after_800_ms(logic: dict[str, Any]) -> None:
    assert 790 <= logic["hangingMs"] < 1500
    assert logic["hangingAborted"]


def test_add_to_order_adds_one_of_the_default_variant(logic: dict[str, Any]) -> None:
    assert logic["variant"] == {"id": "gid://shopify/ProductVariant/41", "amount": 12.5, "currency": "EUR"}
    assert logic["soldOut"] is None and logic["noVariant"] is None and logic["queryFails"] is None
    assert logic["queries"][0] == {"id": "gid://shopify/Product/7002", "country": "DE"}
    assert logic["added"] is True
    assert logic["refused"] is False and logic["throws"] is False and logic["badVariant"] is False
    assert logic["changes"] == [{"type": "addCartLine", "merchandiseId": "gid://shopify/ProductVariant/41",
                                 "quantity": 1}]


def test_events_go_only_with_consent_with_the_key_in_a_header_and_the_server_accepts_them(logic):
    assert logic["withoutConsent"] is False and logic["withConsent"] is True
    [post] = logic["posts"]
    assert post["url"] == "https://reco.shop.example/v1/events" and post["keepalive"] is True
    assert post["headers"]["X-Skylt-Key"] == "pk-checkout-0001" and "pk-checkout" not in post["url"]
    events = [msgspec.convert(e, Event) for e in post["body"]["events"]]
    assert [(e.type, e.slot, e.page, e.items, e.item) for e in events] == [
        ("impression", "bought_together", "checkout", ["7002", "7003"], None),
        ("click", "bought_together", None, None, "7002")]
    assert {e.session for e in events} == {"co-1"} and {e.request_id for e in events} == {"r-1"}
