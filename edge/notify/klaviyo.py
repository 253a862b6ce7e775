"""Klaviyo's Create Event (``POST /api/events``, JSON:API): one event per trigger on the customer's profile.

The profile is named by ``external_id`` (the shop's customer id); the metric by the trigger's name ("Skylt Cart
Recommendations" ...), which a Klaviyo flow is built on (docs/email.md). ``unique_id`` is the trigger's own id:
Klaviyo keeps one event per id, so a send repeated after a crash is kept once.
"""

from __future__ import annotations

from typing import Any

import httpx
import msgspec

from edge.notify.deliver import Outcome, post
from edge.notify.payload import Message

REVISION = "2026-10-15"  # the API revision this body follows, sent in the `revision` header
_encode = msgspec.json.Encoder().encode


def event_body(msg: Message) -> dict[str, Any]:
    return {"data": {"type": "event", "attributes": {
        "properties": {"items": msgspec.to_builtins(msg.items), "request_id": msg.request_id, "trigger": msg.kind,
                       "item_count": len(msg.items)},
        "time": msg.time,
        "unique_id": msg.id,
        "metric": {"data": {"type": "metric", "attributes": {"name": msg.metric}}},
        "profile": {"data": {"type": "profile", "attributes": {"external_id": msg.customer_id}}},
    }}}


class Klaviyo:
    name = "klaviyo"

    def __init__(self, client: httpx.Client, api_url: str, private_key: str) -> None:
        self.client = client
        self.url = api_url.rstrip("/") + "/api/events"
        self._key = private_key

    def __repr__(self) -> str:  # never print the key
        return f"Klaviyo({self.url})"

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Klaviyo-API-Key {self._key}", "revision": REVISION,
                "accept": "application/vnd.api+json", "content-type": "application/vnd.api+json"}

    def send(self, msg: Message) -> Outcome:
        return post(self.client, self.url, _encode(event_body(msg)), self.headers)
