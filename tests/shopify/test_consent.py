"""Marketing consent from Shopify's own records: its consent webhooks (and orders/create at older API versions),
verified by HMAC, and `skylt shopify sync` record or withdraw it through the same path as a signed `marketing`
event (edge/notify/consent.py)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from edge.notify.ids import unseal_id
from edge.notify.state import NotifyState
from edge.shopify.consent import GRANT_MAX_AGE, marketing_of, webhook_marketing
from tests.conftest import SERVER_KEY
from tests.shopify.conftest import PRODUCTS, deliver, order, settings_for

SECRET_KEY = "shopify-consent-secret-key-0123456789abcdef"
KLAVIYO_KEY = "pk_shopify_consent_test_key_0001"


def iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat().replace("+00:00", "Z")


EMAIL_TOPIC, SMS_TOPIC = "customers_email_marketing_consent/update", "customers_marketing_consent/update"


def channel(state: str, age: float) -> dict[str, Any]:
    return {"state": state, "opt_in_level": "single_opt_in", "consent_updated_at": iso(time.time() - age),
            "consent_collected_from": "SHOPIFY"}


def email_consent(state: str, *, cid: int = 555, age: float = 0.0) -> dict[str, Any]:
    """A customers_email_marketing_consent/update payload (the address redacted, as at protected data level 1)."""
    return {"customer_id": cid, "email_address": None, "email_marketing_consent": channel(state, age)}


def sms_consent(state: str, *, cid: int = 555, age: float = 0.0) -> dict[str, Any]:
    """A customers_marketing_consent/update payload: the SMS channel."""
    return {"id": cid, "phone": None, "sms_marketing_consent": channel(state, age)}


def customer(state: str | None, sms: str | None = None) -> dict[str, Any]:
    """A customer object with both channels, as webhooks before API version 2025-01 embedded it."""
    return {"id": 555, "email": None, "email_marketing_consent": None if state is None else channel(state, 0),
            "sms_marketing_consent": None if sms is None else channel(sms, 0)}


def notify_settings(tables: Path, tmp_path: Path, **overrides: Any) -> Any:
    from edge.config import Settings

    notify = {"notify_state": str(tmp_path / "notify"), "secret_key": SECRET_KEY, "klaviyo_private_key": KLAVIYO_KEY,
              "klaviyo_api_url": "http://127.0.0.1:9", "server_keys": SERVER_KEY}
    return Settings.load(**settings_for(tables, tmp_path, **{**notify, **overrides}))


@pytest.fixture
def client(shop_tables: Path, tmp_path: Path) -> Iterator[TestClient]:
    from edge.serve.app import create_app

    with TestClient(create_app(notify_settings(shop_tables, tmp_path)), raise_server_exceptions=False) as c:
        yield c


def consenting(tmp_path: Path) -> dict[str, Any]:
    """{customer id in clear: row} of the trigger state."""
    return {unseal_id(SECRET_KEY, row.sealed): row for row in NotifyState(tmp_path / "notify").customers()}


@pytest.mark.parametrize(("email", "sms", "flag"), [
    ("subscribed", None, True), ("unsubscribed", "subscribed", True), ("SUBSCRIBED", None, True),
    ("unsubscribed", None, False), ("not_subscribed", None, False), ("NOT_SUBSCRIBED", "PENDING", False),
    ("redacted", "redacted", False), ("pending", None, None), ("invalid", None, None), (None, None, None),
    ("something-new", None, None),
])
def test_shopify_states_map_to_the_marketing_flag(email: str | None, sms: str | None, flag: bool | None):
    assert marketing_of(customer(email, sms)) is flag
    graphql = {"id": "gid://shopify/Customer/555",
               "emailMarketingConsent": None if email is None else {"marketingState": email.upper()},
               "smsMarketingConsent": None if sms is None else {"marketingState": sms.upper()}}
    assert marketing_of(graphql) is flag


def test_a_late_grant_is_not_taken_but_a_late_withdrawal_is():
    now = time.time()
    assert webhook_marketing(customer("subscribed"), iso(now - 60), now) is True
    assert webhook_marketing(customer("subscribed"), iso(now - GRANT_MAX_AGE - 60), now) is None
    for not_a_time in ("not a time", None, 17, "0001-01-01T00:00:00+14:00"):  # the last: before year 1 in UTC
        assert webhook_marketing(customer("subscribed"), not_a_time, now) is None
    assert webhook_marketing(customer("unsubscribed"), iso(now - 30 * 86400), now) is False


def test_the_email_consent_topic_records_and_withdraws_consent(client: TestClient, tmp_path: Path):
    r = deliver(client, EMAIL_TOPIC, email_consent("subscribed"), webhook_id="c-1")
    assert r.status_code == 200 and r.json() == {"topic": EMAIL_TOPIC, "marketing": True}
    [row] = consenting(tmp_path).values()
    assert set(consenting(tmp_path)) == {"555"} and row.user != "555"  # keyed by the hashed id
    assert deliver(client, EMAIL_TOPIC, email_consent("pending"), webhook_id="c-2").json()["ignored"]
    assert set(consenting(tmp_path)) == {"555"}  # pending changes nothing
    r = deliver(client, EMAIL_TOPIC, email_consent("unsubscribed"), webhook_id="c-3")
    assert r.json()["marketing"] is False and consenting(tmp_path) == {}


def test_the_sms_consent_topic_counts_too_and_a_no_on_either_channel_withdraws(client: TestClient, tmp_path: Path):
    assert deliver(client, SMS_TOPIC, sms_consent("subscribed", cid=777)).json()["marketing"] is True
    assert set(consenting(tmp_path)) == {"777"}
    assert deliver(client, EMAIL_TOPIC, email_consent("not_subscribed", cid=777)).json()["marketing"] is False
    assert consenting(tmp_path) == {}  # one flag for both channels: a no withdraws until a channel says yes again


def test_a_retried_old_grant_does_not_undo_a_newer_withdrawal(client: TestClient, tmp_path: Path):
    deliver(client, EMAIL_TOPIC, email_consent("subscribed"))
    deliver(client, EMAIL_TOPIC, email_consent("unsubscribed"))
    late = deliver(client, EMAIL_TOPIC, email_consent("subscribed", age=GRANT_MAX_AGE + 600), webhook_id="old")
    assert late.json()["ignored"] and consenting(tmp_path) == {}


def test_an_unsigned_or_forged_delivery_records_nothing(client: TestClient, tmp_path: Path):
    assert deliver(client, EMAIL_TOPIC, email_consent("subscribed"), secret=None).status_code == 401
    assert deliver(client, EMAIL_TOPIC, email_consent("subscribed"), secret="not-the-app-secret").status_code == 401
    assert not (tmp_path / "notify" / "notify.sqlite").exists() or consenting(tmp_path) == {}


def test_a_consent_delivery_without_a_customer_id_is_refused(client: TestClient, tmp_path: Path):
    r = deliver(client, EMAIL_TOPIC, {"email_marketing_consent": channel("subscribed", 0)})
    assert r.status_code == 422 and consenting(tmp_path) == {}


def test_an_order_records_its_customers_consent_and_starts_the_cross_sell_trigger(client: TestClient,
                                                                                    tmp_path: Path):
    payload = order(7101, [(PRODUCTS[0], 1, "10.00"), (PRODUCTS[1], 2, "5.00")])
    payload["created_at"] = iso(time.time() - 30)
    payload["customer"].update(email_marketing_consent={"state": "subscribed", "opt_in_level": "single_opt_in",
                                                        "consent_updated_at": "2024-03-01T10:00:00Z"})
    r = deliver(client, "orders/create", payload, webhook_id="o-1")
    assert r.json() == {"topic": "orders/create", "events": 2, "marketing": True}
    row = consenting(tmp_path)["555"]
    assert row.order_id == "7101" and sorted(row.order_items) == sorted(PRODUCTS[:2]) and row.order_at is not None


def test_an_order_of_a_customer_who_unsubscribed_withdraws_and_one_without_a_state_changes_nothing(
        client: TestClient, tmp_path: Path):
    deliver(client, EMAIL_TOPIC, email_consent("subscribed"))
    plain = order(7102, [(PRODUCTS[2], 1, "10.00")])  # no consent fields: no change
    assert "marketing" not in deliver(client, "orders/create", plain).json()
    assert set(consenting(tmp_path)) == {"555"}
    withdrawn = order(7103, [(PRODUCTS[3], 1, "10.00")])  # an old order still withdraws
    withdrawn["customer"]["email_marketing_consent"] = {"state": "unsubscribed"}
    assert deliver(client, "orders/create", withdrawn).json()["marketing"] is False
    assert consenting(tmp_path) == {}


def test_without_notify_set_up_a_grant_is_not_kept(shop_tables: Path, tmp_path: Path):
    from edge.serve.app import create_app

    with TestClient(create_app(notify_settings(shop_tables, tmp_path, klaviyo_private_key=""))) as c:
        r = deliver(c, EMAIL_TOPIC, email_consent("subscribed"))
    assert r.status_code == 200 and "marketing" not in r.json()
    assert not (tmp_path / "notify").exists()


def test_a_customer_consenting_in_shopify_gets_the_cart_message(shop_tables: Path, tmp_path: Path):
    """End to end: consent from Shopify's consent webhook, the customer's cart events (server key), then notify."""
    from edge.notify.cli import notify_once
    from edge.serve.app import create_app

    settings = notify_settings(shop_tables, tmp_path)
    with TestClient(create_app(settings)) as c:
        deliver(c, EMAIL_TOPIC, email_consent("subscribed"))
        r = c.post("/v1/events", headers={"X-Skylt-Key": SERVER_KEY}, json={"events": [
            {"type": "cart", "item": PRODUCTS[0], "user": "555", "ts": int(time.time() - 25 * 3600)}]})
        assert r.status_code == 200 and r.json()["accepted"] == 1
    summary = notify_once(settings, time.time(), dry_run=True)  # after the app closed: the same LMDB files
    assert summary.due == 1 and [res.message.customer_id for res in summary.results] == ["555"]


# -- skylt shopify sync ------------------------------------------------------------------------------------------

def consent_shop() -> Any:
    from tests.shopify.fake_admin import FakeShop, make_order, make_product

    orders = [make_order(1, [0, 1], customer=601), make_order(2, [2], customer=602), make_order(3, [3], customer=603),
              make_order(4, [4], customer=None), make_order(5, [1], customer=604)]
    states = {601: ("SUBSCRIBED", None), 602: ("UNSUBSCRIBED", "SUBSCRIBED"), 603: ("NOT_SUBSCRIBED", None),
              604: ("PENDING", None)}
    for node in orders:
        if node["customer"]:
            email, sms = states[int(node["customer"]["id"].rsplit("/", 1)[1])]
            node["customer"]["emailMarketingConsent"] = {"marketingState": email}
            node["customer"]["smsMarketingConsent"] = None if sms is None else {"marketingState": sms}
    return FakeShop([make_product(n) for n in range(5)], orders)


@pytest.mark.parametrize("bulk", [False, True])
def test_sync_records_the_customers_consent_from_the_admin_api(shop_tables: Path, tmp_path: Path, bulk: bool):
    from edge.shared.factory import open_profiles
    from edge.shopify.consent import recorder
    from edge.shopify.graphql import AdminClient
    from edge.shopify.sync import sync
    from tests.shopify.fake_admin import TOKEN

    settings = notify_settings(shop_tables, tmp_path)
    with recorder(settings) as record:  # 603 consented before and has since refused: the sync withdraws it
        record({"603": True})
    assert set(consenting(tmp_path)) == {"603"}
    with consent_shop() as fake, AdminClient(fake.url, TOKEN, sleep=lambda s: None) as client, \
            recorder(settings) as record:
        summary = sync(client, "skylt-test.myshopify.com", tmp_path / "out", bulk=bulk, page_size=2,
                       poll_seconds=0.01, consent=record)
        asked = [r["query"] + str(r["variables"]) for r in fake.requests if "orders" in r["query"]]
    assert summary.consents == 3 and summary.counts["orders"] == 5  # 601, 602, 603; pending and guests not
    assert set(consenting(tmp_path)) == {"601", "602"}  # SMS counts; pending changes nothing; 603 withdrawn
    assert all("emailMarketingConsent" in q for q in asked)
    # Keyed as the server keys the id: the storefront's signed events of 601 reach the same row.
    profiles = open_profiles(settings)
    assert consenting(tmp_path)["601"].user == profiles.key("601")
    profiles.close()


def test_sync_without_consent_does_not_ask_for_customer_data(shop_tables: Path, tmp_path: Path):
    from click.testing import CliRunner

    from edge.cli import main
    from tests.shopify.fake_admin import TOKEN

    with consent_shop() as fake:
        result = CliRunner().invoke(main, ["shopify", "sync", "--shop", fake.url, "--token", TOKEN, "--out",
                                           str(tmp_path / "out")], env={"SKYLT_KLAVIYO_PRIVATE_KEY": ""})
        assert result.exit_code == 0, result.output
        assert "marketing consent" not in result.output
        assert not any("MarketingConsent" in r["query"] for r in fake.requests)
        forced = CliRunner().invoke(main, ["shopify", "sync", "--shop", fake.url, "--token", TOKEN, "--out",
                                           str(tmp_path / "out2"), "--consent"], env={"SKYLT_KLAVIYO_PRIVATE_KEY": ""})
    assert forced.exit_code == 2 and "secret_key" in forced.output


def test_sync_on_the_command_line_records_consent_where_notify_is_set_up(shop_tables: Path, tmp_path: Path):
    from click.testing import CliRunner

    from edge.cli import main
    from tests.shopify.fake_admin import TOKEN

    env = {f"SKYLT_{k.upper()}": str(v) for k, v in settings_for(shop_tables, tmp_path).items()} | {
        "SKYLT_NOTIFY_STATE": str(tmp_path / "notify"), "SKYLT_SECRET_KEY": SECRET_KEY,
        "SKYLT_KLAVIYO_PRIVATE_KEY": KLAVIYO_KEY}
    with consent_shop() as fake:
        result = CliRunner().invoke(main, ["shopify", "sync", "--shop", fake.url, "--token", TOKEN, "--out",
                                           str(tmp_path / "out"), "--page-size", "2"], env=env)
        no_orders = CliRunner().invoke(main, ["shopify", "sync", "--shop", fake.url, "--token", TOKEN, "--out",
                                              str(tmp_path / "out"), "--no-orders"], env=env)
    assert result.exit_code == 0, result.output
    assert "marketing consent of 3 customers recorded" in result.output
    assert set(consenting(tmp_path)) == {"601", "602"}
    assert no_orders.exit_code == 0 and "marketing consent" not in no_orders.output
