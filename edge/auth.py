"""Shared secrets: one constant-time check for every kind of key, and the rules keys must meet."""

from __future__ import annotations

import base64
import binascii
import hmac
from collections.abc import Iterable

from edge.config import Settings
from edge.errors import NotReadyError, SkyltError, UnauthorizedError

MIN_KEY_LENGTH = 16
AUTH_HEADER = "authorization"
# Every setting that holds keys or secrets; each is a tier of its own, so no key may be in two of them.
KEY_SETTINGS = ("ingest_keys", "server_keys", "admin_keys", "metrics_keys", "identity_secrets",
                "shopify_webhook_secrets")


def matches_any_key(presented: str, keys: Iterable[str]) -> bool:
    """Compare with every key, without stopping early, in constant time per key."""
    given = presented.encode()
    matched = [hmac.compare_digest(given, key.encode()) for key in keys]
    return any(matched)


def bearer(header: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header; None for any other header or none."""
    scheme, _, token = (header or "").partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def presented_key(header: str | None, *, basic: bool = False) -> str | None:
    """The key of ``Authorization: Bearer <key>``; with ``basic``, also the password of
    ``Authorization: Basic`` (what a browser's prompt sends). None for anything else."""
    token = bearer(header)
    if token is not None or not basic:
        return token
    scheme, _, value = (header or "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    return decoded.partition(":")[2] or None


def require_admin(header: str | None, settings: Settings, what: str, *, basic: bool = False) -> None:
    """The one check of every admin route: ``what`` (e.g. "catalog updates") needs a key of
    ``admin_keys``; none configured means the routes are off, never open."""
    if not settings.admin_keys:
        raise NotReadyError(f"{what} are not configured (setting admin_keys)")
    key = presented_key(header, basic=basic)
    if key is None:
        hint = ", or the admin key as the password of the browser's prompt" if basic else ""
        raise UnauthorizedError(f"the Authorization header holds no admin key; send 'Bearer <admin key>'{hint}",
                                field=AUTH_HEADER)
    if not matches_any_key(key, settings.admin_keys):
        raise UnauthorizedError("the Authorization header does not hold a valid admin key", field=AUTH_HEADER)


def check_key_settings(settings: Settings) -> None:
    """Refuse keys short enough to guess and keys shared by two tiers (a public ingest key that is also an
    admin key would hand the catalog to every visitor). Messages name the setting, never the key."""
    tier_of: dict[str, str] = {}
    for name in KEY_SETTINGS:
        for key in getattr(settings, name):
            if len(key) < MIN_KEY_LENGTH:
                raise SkyltError(f"setting {name}: a key has {len(key)} characters, keys need at least "
                                 f"{MIN_KEY_LENGTH} (make one with: openssl rand -hex 16)")
            other = tier_of.setdefault(key, name)
            if other != name:
                raise SkyltError(f"settings {other} and {name} share a key; give each its own keys")
