"""Shopify's authorization code grant, as its documentation describes it for a public app.

- the install link sends the merchant to ``https://{shop}/admin/oauth/authorize`` with the client id, the
  scopes, the redirect URI and a single-use ``state`` (edge/shopify/nonces.py);
- the callback's query is signed: the hex HMAC-SHA256, keyed with the client secret, of every other
  parameter sorted by name and joined as ``name=value&...``; compared in constant time;
- the code is exchanged at ``/admin/oauth/access_token`` for an expiring offline token (``expiring=1``) with its
  refresh token; the refresh grant (``grant_type=refresh_token``) returns a new pair, the old one stops working.

Shop domains are checked before anything is sent anywhere: ``^[a-z0-9][a-z0-9-]*\\.myshopify\\.com$``.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlencode

import httpx
import msgspec

from edge.shopify.graphql import ShopifyError
from edge.shopify.tokens import SHOP_DOMAIN, Tokens

# The scopes of plugins/shopify/shopify.app.toml (a test keeps them equal).
SCOPES = "read_products,read_inventory,read_orders,read_customers,write_pixels,read_customer_events"
CALLBACK_PATH = "/v1/shopify/callback"
# A callback signed longer ago than this is refused (Shopify's links are followed at once).
MAX_CALLBACK_AGE = 3600.0


class _Grant(msgspec.Struct):
    access_token: str
    expires_in: float
    refresh_token: str
    refresh_token_expires_in: float
    scope: str = ""


def valid_shop(shop: str | None, allowed: Iterable[str] = ()) -> bool:
    allowed = tuple(allowed)
    return bool(shop) and SHOP_DOMAIN.fullmatch(shop or "") is not None and (not allowed or shop in allowed)


def base_url(template: str, shop: str) -> str:
    """The setting shopify_admin_url with the (checked) shop domain in it."""
    return template.replace("{shop}", shop).rstrip("/")


def authorize_url(shop_base: str, client_id: str, redirect_uri: str, state: str) -> str:
    query = urlencode({"client_id": client_id, "scope": SCOPES, "redirect_uri": redirect_uri, "state": state})
    return f"{shop_base}/admin/oauth/authorize?{query}"


def query_signature(params: Iterable[tuple[str, str]], secret: str) -> str:
    """The hex ``hmac`` Shopify adds to a query made of ``params`` (tests and tools sign with this)."""
    message = "&".join(f"{k}={v}" for k, v in sorted(p for p in params if p[0] not in ("hmac", "signature")))
    return hmac.new(secret.encode(), message.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()


def verify_query(params: list[tuple[str, str]], secrets: Iterable[str], now: float | None = None) -> bool:
    """True when the query carries one ``hmac`` that signs the rest under one of ``secrets``, and its
    ``timestamp`` is recent. Every secret is compared, in constant time, without stopping early."""
    given = [v for k, v in params if k == "hmac"]
    if len(given) != 1 or len({k for k, _ in params}) != len(params):  # a repeated name: ambiguous, refused
        return False
    try:
        signed_at = float(dict(params).get("timestamp", ""))
    except ValueError:
        return False
    now = time.time() if now is None else now
    if not abs(now - signed_at) <= MAX_CALLBACK_AGE:
        return False
    mac = given[0].strip().lower().encode()
    matched = [hmac.compare_digest(mac, query_signature(params, s).encode()) for s in secrets]
    return any(matched)


def _grant(shop_base: str, form: dict[str, Any], timeout: float) -> Tokens:
    url = f"{shop_base}/admin/oauth/access_token"
    now = time.time()
    try:
        response = httpx.post(url, data=form, headers={"Accept": "application/json"}, timeout=timeout)
    except httpx.HTTPError as exc:
        raise ShopifyError(f"{url}: {type(exc).__name__}") from exc
    if response.status_code != 200:  # the body may echo the code: not repeated
        raise ShopifyError(f"{url}: HTTP {response.status_code}: the shop refused the grant")
    try:
        grant = msgspec.json.decode(response.content, type=_Grant)
    except msgspec.DecodeError as exc:
        raise ShopifyError(f"{url}: the answer is not an expiring offline token: {exc}") from exc
    return Tokens(access_token=grant.access_token, expires_at=now + grant.expires_in,
                  refresh_token=grant.refresh_token, refresh_expires_at=now + grant.refresh_token_expires_in,
                  scope=grant.scope)


def exchange_code(shop_base: str, client_id: str, client_secret: str, code: str, timeout: float = 30.0) -> Tokens:
    return _grant(shop_base, {"client_id": client_id, "client_secret": client_secret, "code": code,
                              "expiring": "1"}, timeout)


def refresh(shop_base: str, client_id: str, client_secret: str, tokens: Tokens, timeout: float = 30.0) -> Tokens:
    if tokens.refresh_expires_at <= time.time():
        raise ShopifyError("the refresh token has expired: install the app on the shop again")
    return _grant(shop_base, {"client_id": client_id, "client_secret": client_secret,
                              "grant_type": "refresh_token", "refresh_token": tokens.refresh_token}, timeout)
