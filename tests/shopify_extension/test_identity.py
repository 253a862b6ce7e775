"""The app embed signs a logged-in customer's id in Liquid (Shopify's hmac_sha256, rendered here by liquidjs, whose
filter is the same hex HMAC-SHA256): the published test vector, a token the server's verifier accepts for a day, no
customer id without its token, and a secret that never reaches the page."""

from __future__ import annotations

import json
import re
import time
from typing import Any

import pytest

from edge.identity import verify
from tests.conftest import REPO
from tests.shopify_extension.conftest import THEME

SECRET, USER, EXPIRY = "skylt-test-vector-secret", "4711", 1893456000
HEX_TOKEN = "v1.1893456000.3508e08f1a89f37db1502acaad77478879425f8597aebb0a6b9bcfc08c941dd8"
SETTINGS = {"api_url": "https://reco.shop.example", "public_key": "pk-shopify-identity-01", "identity_secret": SECRET}


def context(page_type: str, customer: dict[str, Any] | None) -> dict[str, Any]:
    return {"product": None, "cart": {"items": []}, "customer": customer, "shop": {"currency": "GBP"},
            "request": {"page_type": page_type, "locale": {"iso_code": "en"}, "design_mode": False},
            "localization": {"country": {"iso_code": "GB"}}, "routes": {"root_url": "/"}}


def shopper(html: str) -> dict[str, Any]:
    """What the embed hands skylt-shopify.js: window.SkyltShopify's customer and userToken."""
    found = {k: json.loads(v) for k, v in re.findall(r'\b(customer|userToken): ("[^"]*")', html)}
    assert set(found) == {"customer", "userToken"}, html
    return found


def test_the_embed_signs_the_published_test_vector(liquid: Any) -> None:
    html = liquid("embed", context("index", customer={"id": int(USER)}), SETTINGS, now=EXPIRY - 86400)
    assert shopper(html) == {"customer": USER, "userToken": HEX_TOKEN}
    assert SECRET not in html  # used inside hmac_sha256 only


def test_the_token_verifies_for_its_customer_for_a_day(liquid: Any) -> None:
    secret = "a-shops-identity-secret-</script>"
    before = int(time.time())
    got = shopper(liquid("embed", context("index", customer={"id": 6000001}), {**SETTINGS, "identity_secret": secret}))
    assert got["customer"] == "6000001"
    expiry = int(got["userToken"].split(".")[1])
    assert before + 86400 <= expiry <= int(time.time()) + 86400
    assert verify(got["userToken"], "6000001", [secret])
    assert not verify(got["userToken"], "6000002", [secret])  # another customer's
    assert not verify(got["userToken"], "6000001", [secret], now=expiry + 1)  # the next day's


@pytest.mark.parametrize("case", ["no secret", "blank secret", "send_customer off", "logged out"])
def test_no_customer_id_without_its_token(liquid: Any, case: str) -> None:
    settings: dict[str, Any] = {**SETTINGS}
    customer: dict[str, Any] | None = {"id": 6000001}
    if case == "no secret":
        del settings["identity_secret"]
    elif case == "blank secret":
        settings["identity_secret"] = "   "
    elif case == "send_customer off":
        settings["send_customer"] = False
    else:
        customer = None
    html = liquid("embed", context("index", customer=customer), settings)
    assert shopper(html) == {"customer": "", "userToken": ""}
    assert "6000001" not in html


def test_the_liquid_in_the_docs_is_the_embeds() -> None:
    doc = (REPO / "docs" / "snippet.md").read_text()
    [block] = re.findall(r"```liquid\n(.*?)```", doc, re.S)
    embed = (THEME / "blocks" / "embed.liquid").read_text()
    for line in block.strip().splitlines():
        assert line.strip() in embed, line


def test_the_installs_metafields_configure_the_embed_and_win_over_settings(liquid: Any) -> None:
    """The install writes app.metafields.skylt.*: the embed reads the API address, the key and the secret from
    them (the settings only where one is missing), and the secret still never reaches the page."""
    installed = "the-installs-identity-secret-01"
    ctx = {**context("index", customer={"id": int(USER)}),
           "app": {"metafields": {"skylt": {"api_url": {"value": "https://skylt.installed.example"},
                                            "public_key": {"value": "pk-from-the-install-01"},
                                            "identity_secret": {"value": installed}}}}}
    html = liquid("embed", ctx, SETTINGS)
    assert '"https://skylt.installed.example"' in html and '"pk-from-the-install-01"' in html
    assert SETTINGS["api_url"] not in html and SETTINGS["public_key"] not in html
    token = shopper(html)["userToken"]
    assert verify(token, USER, [installed]) and not verify(token, USER, [SECRET])
    assert installed not in html
