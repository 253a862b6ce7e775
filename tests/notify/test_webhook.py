"""The same message to any other ESP: a signed webhook that a local receiver verifies."""

from __future__ import annotations

import json
import time

import httpx

from edge.notify.webhook import SIGNATURE, TIMESTAMP, signature, verify
from tests.notify.conftest import WEBHOOK_SECRET, FakeService, Shop
from tests.notify.test_klaviyo import left_cart


def test_the_receiver_verifies_the_signature_and_gets_the_items(shop: Shop, klaviyo: FakeService,
                                                                receiver: FakeService):
    now = left_cart(shop, "cust-hook")
    summary = shop.notify(now, esp_webhook_url=receiver.url + "/skylt", esp_webhook_secret=WEBHOOK_SECRET)
    assert summary.sent == 1
    assert summary.results[0].destinations == {"klaviyo": "sent", "webhook": "sent"}
    [got] = receiver.received
    body = got.json()
    assert body["kind"] == "cart" and body["customer_id"] == "cust-hook" and body["items"]
    assert body["id"] == klaviyo.received[0].json()["data"]["attributes"]["unique_id"]  # one id everywhere
    assert body["items"] == klaviyo.received[0].json()["data"]["attributes"]["properties"]["items"]
    assert verify(WEBHOOK_SECRET, got.body, got.headers[TIMESTAMP.lower()], got.headers[SIGNATURE.lower()])


def test_a_replayed_old_or_altered_delivery_is_refused(shop: Shop, receiver: FakeService):
    now = left_cart(shop, "cust-replay")
    shop.notify(now, klaviyo_private_key="", esp_webhook_url=receiver.url, esp_webhook_secret=WEBHOOK_SECRET)
    [got] = receiver.received
    ts, signed = got.headers[TIMESTAMP.lower()], got.headers[SIGNATURE.lower()]
    assert not verify(WEBHOOK_SECRET, got.body, ts, signed, now=int(ts) + 301)  # replayed six minutes later
    altered = got.body.replace(b"cust-replay", b"cust-other")
    assert not verify(WEBHOOK_SECRET, altered, ts, signed)
    assert not verify("another-secret-0000000", got.body, ts, signed)
    # Over the wire: the receiver answers 401 to an old signed delivery and to a changed body.
    old = str(int(time.time()) - 600)
    for body, stamp in ((got.body, old), (altered, ts)):
        answer = httpx.post(receiver.url, content=body, headers={
            TIMESTAMP: stamp, SIGNATURE: signature(WEBHOOK_SECRET, stamp, got.body),
            "content-type": "application/json"})
        assert answer.status_code == 401


def test_a_receiver_down_is_retried_with_back_off_and_then_left_for_the_next_run(shop: Shop, receiver: FakeService,
                                                                                monkeypatch):
    from edge.notify import deliver

    monkeypatch.setattr(deliver, "BASE", 0.01)
    receiver.script = [(503, {})] * deliver.ATTEMPTS
    now = left_cart(shop, "cust-down")
    hook = {"klaviyo_private_key": "", "esp_webhook_url": receiver.url, "esp_webhook_secret": WEBHOOK_SECRET}
    summary = shop.notify(now, **hook)
    assert summary.retry == 1 and summary.sent == 0 and len(receiver.received) == deliver.ATTEMPTS
    stamps = [got.headers[TIMESTAMP.lower()] for got in receiver.received]
    assert all(verify(WEBHOOK_SECRET, got.body, s, got.headers[SIGNATURE.lower()])
               for got, s in zip(receiver.received, stamps, strict=True))
    assert shop.notify(now + 60, **hook).sent == 1  # the next run delivers it, under the same id
    ids = {json.loads(got.body)["id"] for got in receiver.received}
    assert len(ids) == 1
