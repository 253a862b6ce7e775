"""The app installed on a shop end to end, against a fake of Shopify's OAuth and Admin GraphQL endpoints on
127.0.0.1: the install link, the signed callback, the token pair stored encrypted and 0600, webhooks, web pixel
and metafields set up, the first import in the background, the uninstall deleting the token, and a later
`skylt shopify sync` refreshing the expired token."""

from __future__ import annotations

import json
import stat
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from edge.shopify import oauth, register
from edge.shopify.tokens import TokenStore
from edge.shopify.verify import signature
from tests.conftest import assert_problem
from tests.shopify.conftest import SHOP, settings_for
from tests.shopify.fake_admin import make_order, make_product
from tests.shopify.fake_oauth import CLIENT_ID, CLIENT_SECRET, FakeInstallShop

SECRET_KEY = "install-test-secret-key-0123456789abcdef"
PUBLIC_URL = "https://skylt.test"
INGEST_KEY = "pk-install-ingest-0001"
IDENTITY = "install-identity-secret-01"


@pytest.fixture
def fake() -> Iterator[FakeInstallShop]:
    with FakeInstallShop([make_product(i) for i in range(3)], [make_order(1, [0, 1]), make_order(2, [2])]) as f:
        yield f


def install_settings(shop_tables: Path, tmp_path: Path, fake: FakeInstallShop, **extra: Any) -> dict[str, Any]:
    return settings_for(shop_tables, tmp_path, shopify_webhook_secrets=CLIENT_SECRET, shopify_client_id=CLIENT_ID,
                        public_url=PUBLIC_URL, secret_key=SECRET_KEY, shopify_admin_url=fake.url,
                        shopify_data_dir=str(tmp_path / "data"), ingest_keys=INGEST_KEY,
                        identity_secrets=IDENTITY, **extra)


@pytest.fixture
def client(shop_tables: Path, tmp_path: Path, fake: FakeInstallShop) -> Iterator[TestClient]:
    from edge.config import Settings
    from edge.serve.app import create_app

    app = create_app(Settings.load(**install_settings(shop_tables, tmp_path, fake)))
    with TestClient(app, raise_server_exceptions=False, follow_redirects=False) as c:
        yield c
        first_import(c)  # before the fake shop stops


def start(client: TestClient, shop: str = SHOP) -> str:
    """Follow the install link; the state Shopify will hand back."""
    response = client.get("/v1/shopify/install", params={"shop": shop})
    assert response.status_code == 302, response.text
    query = parse_qs(urlsplit(response.headers["location"]).query)
    return query["state"][0]


def callback(client: TestClient, state: str, code: str, shop: str = SHOP, secret: str = CLIENT_SECRET,
             cookie: str | None = None, **extra: str) -> Any:
    params = {"code": code, "host": "YWRtaW4uc2hvcGlmeS5jb20vc3RvcmUvdGVzdA", "shop": shop, "state": state,
              "timestamp": str(int(time.time())), **extra}
    params["hmac"] = oauth.query_signature(params.items(), secret)
    cookie = state if cookie is None else cookie
    return client.get(f"/v1/shopify/callback?{urlencode(params)}",
                      headers={"Cookie": f"skylt_shopify_state={cookie}"} if cookie else {})


def first_import(client: TestClient) -> None:
    """Wait for the install's background imports."""
    imports: dict[str, threading.Thread] = getattr(client.app.state, "shopify_imports", None) or {}  # type: ignore[attr-defined]
    for thread in imports.values():
        thread.join(30)
        assert not thread.is_alive()


def test_install_link_redirects_to_the_consent_screen_with_a_state_bound_to_the_browser(client, fake):
    response = client.get("/v1/shopify/install", params={"shop": SHOP})
    location = urlsplit(response.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == f"{fake.url}/admin/oauth/authorize"
    query = {k: v[0] for k, v in parse_qs(location.query).items()}
    assert query["client_id"] == CLIENT_ID and query["scope"] == oauth.SCOPES
    assert query["redirect_uri"] == f"{PUBLIC_URL}/v1/shopify/callback"
    assert len(query["state"]) >= 40
    cookie = response.headers["set-cookie"]
    assert f"skylt_shopify_state={query['state']}" in cookie
    assert all(word in cookie.lower() for word in ("secure", "httponly", "samesite=lax", "path=/v1/shopify/callback"))


def test_a_good_install_stores_the_token_encrypted_and_sets_up_the_shop(client, fake, tmp_path):
    response = callback(client, start(client), fake.approve())
    assert response.status_code == 302, response.text
    assert response.headers["location"] == f"{fake.url}/admin/themes/current/editor?context=apps"
    assert fake.grants[0] == {"expiring": "1"}  # an expiring offline token was asked for

    token_file = tmp_path / "shopify" / "tokens" / f"{SHOP}.token"
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(token_file.parent.stat().st_mode) == 0o700
    stored = TokenStore.under(tmp_path / "shopify", SECRET_KEY).load(SHOP)
    assert stored.access_token in fake.tokens and stored.refresh_token in fake.refresh_tokens
    raw = token_file.read_bytes()
    assert stored.access_token.encode() not in raw and stored.refresh_token.encode() not in raw
    assert stored.access_token not in repr(stored)

    hook = f"{PUBLIC_URL}/v1/shopify/webhooks"
    assert sorted((w["topic"], w["uri"]) for w in fake.webhooks.values()) == sorted((t, hook) for t in register.TOPICS)
    assert fake.pixel is not None
    assert fake.pixel["settings"] == {"apiUrl": PUBLIC_URL, "publicKey": INGEST_KEY, "purchases": "webhook"}
    assert {k: m["value"] for (ns, k), m in fake.metafields.items() if ns == "skylt"} == {
        "api_url": PUBLIC_URL, "public_key": INGEST_KEY, "identity_secret": IDENTITY}

    first_import(client)
    data = tmp_path / "data"
    catalog = [json.loads(line) for line in (data / "catalog.jsonl").read_text().splitlines()]
    assert sorted(row["item_id"] for row in catalog) == [str(7_000_000_000 + i) for i in range(3)]
    assert len((data / "events.jsonl").read_text().splitlines()) == 3  # the orders' three lines


def test_a_reinstall_updates_the_pixel_and_keeps_one_subscription_per_topic(client, fake):
    assert callback(client, start(client), fake.approve()).status_code == 302
    assert callback(client, start(client), fake.approve()).status_code == 302
    assert len(fake.webhooks) == len(register.TOPICS)
    assert sum("webPixelUpdate" in r["query"] for r in fake.requests) == 1


@pytest.mark.parametrize("tamper", ["secret", "param", "stale"])
def test_a_callback_not_signed_by_the_app_is_refused_and_leaves_the_state_usable(client, fake, tamper):
    state, code = start(client), fake.approve()
    if tamper == "secret":
        bad = callback(client, state, code, secret="shpss_someone_elses_secret")
    elif tamper == "param":  # signed, then a parameter changed
        params = {"code": code, "shop": SHOP, "state": state, "timestamp": str(int(time.time()))}
        params["hmac"] = oauth.query_signature(params.items(), CLIENT_SECRET)
        bad = client.get(f"/v1/shopify/callback?{urlencode({**params, 'code': 'other'})}",
                         headers={"Cookie": f"skylt_shopify_state={state}"})
    else:
        bad = callback(client, state, code, timestamp=str(int(time.time()) - 2 * 3600))
    assert_problem(bad, 401)
    assert not fake.grants
    assert callback(client, state, code).status_code == 302


def test_wrong_reused_foreign_or_cookieless_states_are_refused(client, fake):
    other = "other-shop.myshopify.com"
    assert_problem(callback(client, "made-up-state-0123456789", fake.approve()), 400)
    state = start(client)
    assert_problem(callback(client, state, fake.approve(), cookie="another-browsers-state"), 400)
    assert_problem(callback(client, state, fake.approve(), shop=other), 400)  # issued for SHOP
    assert callback(client, state, fake.approve()).status_code == 302
    assert "state" in assert_problem(callback(client, state, fake.approve()), 400)["detail"]  # used once
    assert len(fake.grants) == 1


@pytest.mark.parametrize("shop", ["evil.example.com", "skylt-test.myshopify.com.evil.com", "-x.myshopify.com",
                                  "x.myshopify.com/../y", "", "SKYLT\u00e5.myshopify.com"])
def test_foreign_shop_domains_are_refused(client, fake, shop):
    assert_problem(client.get("/v1/shopify/install", params={"shop": shop}), 400)
    assert_problem(callback(client, "any-state-0123456789", fake.approve(), shop=shop), 400)


def test_shops_outside_shopify_shops_are_refused(shop_tables, tmp_path, fake):
    from edge.config import Settings
    from edge.serve.app import create_app

    app = create_app(Settings.load(**install_settings(shop_tables, tmp_path, fake, shopify_shops=SHOP)))
    with TestClient(app, raise_server_exceptions=False, follow_redirects=False) as c:
        assert_problem(c.get("/v1/shopify/install", params={"shop": "other-shop.myshopify.com"}), 400)
        assert c.get("/v1/shopify/install", params={"shop": SHOP}).status_code == 302


@pytest.mark.parametrize("unset", ["public_url", "secret_key", "shopify_client_id"])
def test_install_and_callback_answer_503_until_configured(shop_tables, tmp_path, fake, unset):
    from edge.config import Settings
    from edge.serve.app import create_app

    app = create_app(Settings.load(**{**install_settings(shop_tables, tmp_path, fake), unset: ""}))
    with TestClient(app, raise_server_exceptions=False, follow_redirects=False) as c:
        assert unset in assert_problem(c.get("/v1/shopify/install", params={"shop": SHOP}), 503)["detail"]
        assert_problem(callback(c, "state-0123456789abcdef", fake.approve()), 503)


def test_the_shops_refusal_of_the_code_answers_502_and_stores_nothing(client, fake, tmp_path):
    response = callback(client, start(client), "a-code-the-shop-never-issued")
    assert "refused" in assert_problem(response, 502)["detail"]
    assert not (tmp_path / "shopify" / "tokens" / f"{SHOP}.token").exists()


def test_without_protected_data_access_the_rest_is_set_up_and_the_answer_says_what_to_do(client, fake, tmp_path):
    fake.refused_topics = {"ORDERS_CREATE"}
    detail = assert_problem(callback(client, start(client), fake.approve()), 502)["detail"]
    assert "ORDERS_CREATE" in detail and "protected customer data" in detail
    assert TokenStore.under(tmp_path / "shopify", SECRET_KEY).load(SHOP).access_token in fake.tokens
    assert {w["topic"] for w in fake.webhooks.values()} == set(register.TOPICS) - {"ORDERS_CREATE"}
    assert fake.pixel is not None and ("skylt", "api_url") in fake.metafields
    fake.refused_topics = set()  # granted: the install link again subscribes what was missing
    assert callback(client, start(client), fake.approve()).status_code == 302
    assert {w["topic"] for w in fake.webhooks.values()} == set(register.TOPICS)


def test_uninstall_deletes_the_token(client, fake, tmp_path):
    assert callback(client, start(client), fake.approve()).status_code == 302
    first_import(client)
    token_file = tmp_path / "shopify" / "tokens" / f"{SHOP}.token"
    assert token_file.exists()
    body = json.dumps({"id": 1, "domain": SHOP}).encode()
    response = client.post("/v1/shopify/webhooks", content=body, headers={
        "Content-Type": "application/json", "X-Shopify-Topic": "app/uninstalled", "X-Shopify-Shop-Domain": SHOP,
        "X-Shopify-Hmac-Sha256": signature(body, CLIENT_SECRET)})
    assert response.status_code == 200, response.text
    assert not token_file.exists()


def test_a_second_days_sync_refreshes_the_expired_token(client, fake, tmp_path, monkeypatch):
    from edge.cli import main

    assert callback(client, start(client), fake.approve()).status_code == 302
    first_import(client)
    store = TokenStore.under(tmp_path / "shopify", SECRET_KEY)
    day_one = store.load(SHOP)
    day_one.expires_at = time.time() - 60  # a day later: the access token has expired
    store.save(SHOP, day_one)
    for name, value in install_settings(Path("unused"), tmp_path, fake).items():
        monkeypatch.setenv(f"SKYLT_{name.upper()}", str(value))
    monkeypatch.delenv("SHOPIFY_ADMIN_TOKEN", raising=False)
    result = CliRunner().invoke(main, ["shopify", "sync", "--shop", SHOP, "--out", str(tmp_path / "day2")])
    assert result.exit_code == 0, result.output
    assert "3 products" in result.output
    assert [g.get("grant_type") for g in fake.grants] == [None, "refresh_token"]
    day_two = store.load(SHOP)
    assert day_two.access_token != day_one.access_token and day_two.access_token in fake.tokens
    assert day_two.refresh_token != day_one.refresh_token and day_two.expires_at > time.time() + 3600
    assert day_one.access_token not in result.output and day_two.access_token not in result.output
