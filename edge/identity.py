"""Signed shopper identity: a ``user`` is used only with a token the shop's backend signed.

A token is ``v1.<expiry>.<mac>``: ``expiry`` in Unix seconds (0: never expires) and ``mac`` the
HMAC-SHA256, under one of the setting ``identity_secrets``, of the text ``v1.<expiry>.<user>``
(the user id exactly as sent in ``user``, UTF-8), written as base64url without padding. The mac
may also be written as 64 lowercase hex digits, which is what Shopify's Liquid ``hmac_sha256``
filter gives. docs/api.md#signed-identity has code for PHP, Liquid, Node and Python, and the
published test vector that tests/test_identity.py checks in each language.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import time
from collections.abc import Sequence

VERSION = "v1"
MAX_TOKEN_LENGTH = 128
_TOKEN = re.compile(r"v1\.(0|[1-9][0-9]{0,11})\.([A-Za-z0-9_-]{43}|[0-9a-f]{64})")


def _mac(secret: str, expiry: int, user: str) -> bytes:
    return hmac.new(secret.encode(), f"{VERSION}.{expiry}.{user}".encode(), hashlib.sha256).digest()


def sign(secret: str, user: str, expiry: int = 0) -> str:
    """The token for ``user`` that expires at ``expiry`` (Unix seconds; 0: never)."""
    if expiry < 0:
        raise ValueError("expiry is Unix seconds, or 0 for none")
    mac = base64.urlsafe_b64encode(_mac(secret, expiry, user)).rstrip(b"=").decode()
    return f"{VERSION}.{expiry}.{mac}"


def verify(token: str | None, user: str, secrets: Sequence[str], now: float | None = None) -> bool:
    """True when ``token`` was signed for exactly ``user`` with one of ``secrets`` and has not
    expired. Every secret is tried, without stopping early, so timing says nothing of which."""
    if not token or not secrets or len(token) > MAX_TOKEN_LENGTH:
        return False
    match = _TOKEN.fullmatch(token)
    if match is None:
        return False
    expiry = int(match.group(1))
    if expiry and expiry < (time.time() if now is None else now):
        return False
    written = match.group(2)
    given = bytes.fromhex(written) if len(written) == 64 else base64.urlsafe_b64decode(written + "=")
    matched = [hmac.compare_digest(given, _mac(secret, expiry, user)) for secret in secrets]
    return any(matched)
