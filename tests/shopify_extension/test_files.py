"""The app's files agree with each other and with the server: the shipped script is the built snippet, every
block documents itself and offers exactly its page's slots, every label is translated, and shopify.app.toml
subscribes to exactly the webhook topics the server handles."""

from __future__ import annotations

import json
import re
import tomllib
from typing import Any

import pytest

from edge.schemas import PAGE_SLOTS
from tests.shopify_extension.conftest import APP, PIXEL, REPO, THEME

BLOCK_PAGES = {"home": "home", "product": "product", "cart": "cart"}


def schema(block: str) -> dict[str, Any]:
    text = (THEME / "blocks" / f"{block}.liquid").read_text()
    found = re.search(r"{%-?\s*schema\s*-?%}(.*?){%-?\s*endschema\s*-?%}", text, re.S)
    assert found, f"blocks/{block}.liquid has no schema"
    return dict(json.loads(found.group(1)))


def keys(tree: dict[str, Any], prefix: str = "") -> set[str]:
    out: set[str] = set()
    for key, value in tree.items():
        out |= keys(value, f"{prefix}{key}.") if isinstance(value, dict) else {prefix + key}
    return out


def locale(name: str) -> dict[str, Any]:
    return dict(json.loads((THEME / "locales" / f"{name}.json").read_text()))


def test_shipped_script_is_the_built_snippet() -> None:
    shipped = (THEME / "assets" / "skylt.js").read_bytes()
    built = (REPO / "snippets" / "dist" / "skylt.min.js").read_bytes()
    assert shipped == built, "assets/skylt.js is stale: run `npm run sync-snippet` in plugins/shopify"
    assert len(shipped) <= 10_000  # Shopify's limit for an app block's script


def test_every_block_and_snippet_opens_with_a_comment() -> None:
    files = sorted((THEME / "blocks").glob("*.liquid")) + sorted((THEME / "snippets").glob("*.liquid"))
    assert {p.stem for p in files} >= {"home", "product", "cart", "embed", "skylt-slot"}
    for path in files:
        head = path.read_text().lstrip()
        assert head.startswith("{% comment %}") and "Accepts" in head.split("{% endcomment %}")[0], path.name


@pytest.mark.parametrize("block", sorted(BLOCK_PAGES))
def test_block_offers_exactly_its_pages_slots(block: str) -> None:
    spec = schema(block)
    assert spec["target"] == "section"
    settings = {s["id"]: s for s in spec["settings"]}
    assert [o["value"] for o in settings["slot"]["options"]] == list(PAGE_SLOTS[BLOCK_PAGES[block]])
    assert settings["items"]["type"] == "range" and 1 <= settings["items"]["min"] <= settings["items"]["max"] <= 50
    assert settings["heading"]["type"] == "text"
    assert {o["value"] for o in settings["layout"]["options"]} == {"grid", "carousel"}


def test_embed_targets_the_page_body() -> None:
    spec = schema("embed")
    assert spec["target"] in ("body", "head")
    settings = {s["id"]: s for s in spec["settings"]}
    assert set(settings) == {"api_url", "public_key", "consent", "send_customer", "identity_secret", "cart_drawer",
                             "cart_drawer_slot"}
    # The drawer's row offers cart slots only, or none.
    drawer = [o["value"] for o in settings["cart_drawer_slot"]["options"]]
    assert set(drawer) - {"off"} <= set(PAGE_SLOTS["cart"]) and "off" in drawer


def test_the_identity_secret_is_used_only_inside_hmac_sha256() -> None:
    """Read once (stripped), tested for blank, then only the key of hmac_sha256: never output, never in a script."""
    text = (THEME / "blocks" / "embed.liquid").read_text().split("{% schema %}")[0]
    code = re.sub(r"{% comment %}.*?{% endcomment %}", "", text, flags=re.S)
    assert [line.strip() for line in code.splitlines() if "identity_secret" in line] == [
        "assign skylt_identity_secret = app.metafields.skylt.identity_secret.value | default: "
        "block.settings.identity_secret | strip",
        "if customer and block.settings.send_customer and skylt_identity_secret != blank",
        "assign skylt_mac = skylt_message | hmac_sha256: skylt_identity_secret",
    ]
    assert not any("identity_secret" in p.read_text() for p in (THEME / "assets").glob("*.js"))


def test_every_label_is_translated_in_english_and_swedish() -> None:
    assert keys(locale("en.default.schema")) == keys(locale("sv.schema"))
    assert keys(locale("en.default")) == keys(locale("sv"))
    schema_keys = keys(locale("en.default.schema"))
    for block in [*BLOCK_PAGES, "embed"]:
        text = json.dumps(schema(block))
        for key in re.findall(r'"t:([\w.]+)"', text):
            assert key in schema_keys, f"{block}: t:{key}"
        # Headings are looked up by slot name at render time, a key Theme Check cannot see.
        for slot in (PAGE_SLOTS[BLOCK_PAGES[block]] if block in BLOCK_PAGES else ()):
            assert f"skylt.slots.{slot}" in keys(locale("en.default")), slot


def test_app_config_and_install_subscribe_to_the_topics_the_server_handles() -> None:
    from edge.shopify import register, webhooks

    config = tomllib.loads((APP / "shopify.app.toml").read_text())
    subscriptions = config["webhooks"]["subscriptions"]
    registered = ["/".join(t.lower().rsplit("_", 1)) for t in register.TOPICS]  # PRODUCTS_CREATE: products/create
    topics = [t for s in subscriptions for t in s.get("topics", [])] + registered
    compliance = [t for s in subscriptions for t in s.get("compliance_topics", [])]
    assert sorted(compliance) == ["customers/data_request", "customers/redact", "shop/redact"]
    handled = set(webhooks._HANDLERS)  # the server's topic table; a topic it ignores would be a wasted delivery
    assert set(topics) | set(compliance) == handled
    assert len(topics) == len(set(topics))
    assert all(s["uri"].endswith("/v1/shopify/webhooks") and s["uri"].startswith("https://") for s in subscriptions)
    assert re.fullmatch(r"20\d\d-(01|04|07|10)", config["webhooks"]["api_version"])


def test_app_config_asks_only_for_the_scopes_it_uses() -> None:
    config = tomllib.loads((APP / "shopify.app.toml").read_text())
    scopes = set(config["access_scopes"]["scopes"].split(","))
    assert scopes == {"read_products", "read_inventory", "read_orders", "read_customers", "write_pixels",
                      "read_customer_events"}
    from edge.shopify.oauth import SCOPES

    assert config["access_scopes"]["scopes"] == SCOPES  # what the install asks for


def test_app_config_lists_the_install_callback() -> None:
    config = tomllib.loads((APP / "shopify.app.toml").read_text())
    assert any(url.endswith("/v1/shopify/callback") for url in config["auth"]["redirect_urls"])
    assert config["application_url"].endswith("/v1/shopify/install")


def test_pixel_declares_strict_runtime_consent_and_settings() -> None:
    config = tomllib.loads((PIXEL / "shopify.extension.toml").read_text())
    assert config["type"] == "web_pixel_extension" and config["runtime_context"] == "strict"
    assert config["customer_privacy"]["analytics"] is True
    assert set(config["settings"]["fields"]) == {"apiUrl", "publicKey", "purchases"}
    pattern = config["settings"]["fields"]["apiUrl"]["validations"][0]["value"]
    assert re.fullmatch(pattern, "https://reco.shop.example/skylt")
    assert not re.fullmatch(pattern, "http://reco.shop.example")  # a checkout page cannot call plain http


def test_npm_lock_pins_the_tools() -> None:
    lock = json.loads((APP / "package-lock.json").read_text())
    cli = lock["packages"]["node_modules/@shopify/cli"]["version"]
    assert cli.startswith("3."), "Shopify CLI 4.x needs a newer Node than CI has"
    assert "node_modules/liquidjs" in lock["packages"]


def test_the_merchant_guide_is_linked_and_names_what_the_install_needs() -> None:
    from tests.conftest import REPO

    guide = (REPO / "docs" / "shopify.md").read_text()
    assert "## Put Skylt live in a shop (merchant guide)" in guide
    assert "docs/shopify.md#put-skylt-live-in-a-shop-merchant-guide" in (REPO / "README.md").read_text()
    for needed in ("SKYLT_PUBLIC_URL", "SKYLT_SECRET_KEY", "SKYLT_SHOPIFY_CLIENT_ID", "SKYLT_SHOPIFY_WEBHOOK_SECRETS",
                   "SKYLT_SHOPIFY_DATA_DIR", "Protected customer data access", "/v1/shopify/install?shop=",
                   "App embeds", "Add app block", "network access"):
        assert needed in guide, needed
