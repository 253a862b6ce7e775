"""The same message for any other ESP: a JSON body POSTed to ``esp_webhook_url``, signed.

Headers ``Skylt-Timestamp`` (Unix seconds, new on every attempt) and ``Skylt-Signature: v1=<hex>``, the
HMAC-SHA256 under ``esp_webhook_secret`` of ``<timestamp>.<body>``. A receiver recomputes it over the raw body,
compares in constant time, refuses timestamps more than five minutes from its clock (a replayed delivery), and
keeps one message per ``id`` (a send repeated after a crash carries the same id). ``verify`` is that check.
"""

from __future__ import annotations

import hashlib
import hmac
import time

import httpx
import msgspec

from edge.notify.deliver import Outcome, post
from edge.notify.payload import Message

TIMESTAMP = "Skylt-Timestamp"
SIGNATURE = "Skylt-Signature"
TOLERANCE = 300.0
_encode = msgspec.json.Encoder().encode


def signature(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"v1={mac}"


def verify(secret: str, body: bytes, timestamp: str | None, signed: str | None, now: float | None = None,
           tolerance: float = TOLERANCE) -> bool:
    """What a receiver checks: a fresh timestamp and the signature over it and the raw body."""
    if not timestamp or not signed or not timestamp.isdigit():
        return False
    if abs((time.time() if now is None else now) - int(timestamp)) > tolerance:
        return False
    return hmac.compare_digest(signature(secret, timestamp, body), signed)


def webhook_body(msg: Message) -> bytes:
    return _encode(msg)


class Webhook:
    name = "webhook"

    def __init__(self, client: httpx.Client, url: str, secret: str) -> None:
        self.client = client
        self.url = url
        self._secret = secret

    def __repr__(self) -> str:  # never print the secret
        return f"Webhook({self.url})"

    def send(self, msg: Message) -> Outcome:
        body = webhook_body(msg)

        def headers() -> dict[str, str]:
            ts = str(int(time.time()))
            return {"content-type": "application/json", TIMESTAMP: ts, SIGNATURE: signature(self._secret, ts, body)}
        return post(self.client, self.url, body, headers)
