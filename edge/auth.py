"""Shared secrets: one constant-time check for every kind of key."""

from __future__ import annotations

import hmac
from collections.abc import Iterable


def matches_any_key(presented: str, keys: Iterable[str]) -> bool:
    """Compare with every key, without stopping early, in constant time per key."""
    given = presented.encode()
    matched = [hmac.compare_digest(given, key.encode()) for key in keys]
    return any(matched)


def bearer(header: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header; None for any other header or none."""
    scheme, _, token = (header or "").partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None
