"""Webhook signatures as Shopify documents them: the base64 HMAC-SHA256 of the raw request body, keyed
with the app's client secret, in the ``X-Shopify-Hmac-Sha256`` header."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Iterable

HMAC_HEADER = "x-shopify-hmac-sha256"


def signature(body: bytes, secret: str) -> str:
    """The header value Shopify sends for ``body`` (tests and tools sign with this)."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def verify(body: bytes, header: str | None, secrets: Iterable[str]) -> bool:
    """True when ``header`` is the signature of ``body`` under any of ``secrets``.

    Digests are compared as bytes in constant time, against every secret without stopping early
    (two secrets are valid while the app's secret is rotated)."""
    if not header:
        return False
    try:
        given = base64.b64decode(header.strip(), validate=True)
    except (binascii.Error, ValueError):
        return False
    matched = [hmac.compare_digest(given, hmac.new(s.encode(), body, hashlib.sha256).digest()) for s in secrets]
    return any(matched)
