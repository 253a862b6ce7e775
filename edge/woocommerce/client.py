"""A small WooCommerce REST API v3 client: authenticated, paginated, retrying GETs.

Authentication uses the shop's consumer key and secret (WooCommerce > Settings > Advanced > REST API), as WooCommerce
documents it for HTTPS: HTTP Basic auth, or ``consumer_key``/``consumer_secret`` in the query string for servers that
drop the Authorization header. Plain HTTP would need OAuth 1.0a signatures; rather than send the secret readable, the
client refuses ``http://`` except to a shop on this machine (a local test shop).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any, Literal
from urllib.parse import urlsplit

import httpx

from edge.errors import SkyltError

API_PREFIX = "/wp-json/wc/v3"
PER_PAGE = 100                    # the largest page WooCommerce serves
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
AuthMode = Literal["basic", "query"]


class WooCommerceError(SkyltError):
    """The shop refused or kept failing a request; the message names the URL and what the shop said."""


def _shop_url(url: str) -> str:
    parts = urlsplit(url.strip())
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise WooCommerceError(f"{url!r}: expected the shop's address, such as https://shop.example")
    if parts.scheme == "http" and parts.hostname not in LOOPBACK_HOSTS:
        raise WooCommerceError(f"{url}: use https; over plain http the consumer secret would travel readable")
    return url.strip().rstrip("/")


class WooClient:
    """GET JSON from ``/wp-json/wc/v3/...`` of one shop.

    ``sleep`` is injectable so tests (and impatient callers) need not wait out the backoff. Waits follow the shop's
    ``Retry-After`` when it sends one, else double from ``backoff`` seconds up to ``max_backoff``.
    """

    def __init__(self, url: str, key: str, secret: str, *, auth: AuthMode = "basic", retries: int = 5,
                 backoff: float = 1.0, max_backoff: float = 60.0, timeout: float = 30.0,
                 sleep: Callable[[float], None] = time.sleep, transport: httpx.BaseTransport | None = None) -> None:
        if not key or not secret:
            raise WooCommerceError("a consumer key and a consumer secret are both needed")
        self.base = _shop_url(url) + API_PREFIX
        self.retries, self.backoff, self.max_backoff = retries, backoff, max_backoff
        self.sleep = sleep
        self._auth_params = {"consumer_key": key, "consumer_secret": secret} if auth == "query" else {}
        self._http = httpx.Client(auth=(key, secret) if auth == "basic" else None, timeout=timeout,
                                  transport=transport, headers={"Accept": "application/json"},
                                  follow_redirects=False)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> WooClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def get(self, path: str, params: dict[str, Any] | None = None) -> httpx.Response:
        """One GET with retries on 429, 5xx and transport errors; any other non-2xx is a WooCommerceError."""
        url = f"{self.base}/{path.lstrip('/')}"
        query = {**(params or {}), **self._auth_params}
        for attempt in range(self.retries + 1):
            try:
                response = self._http.get(url, params=query)
            except httpx.TransportError as exc:
                if attempt == self.retries:
                    raise WooCommerceError(f"{url}: {type(exc).__name__}: {exc} "
                                           f"(gave up after {attempt + 1} tries)") from exc
                self.sleep(self._wait(attempt, None))
                continue
            if response.status_code in RETRY_STATUSES and attempt < self.retries:
                self.sleep(self._wait(attempt, response.headers.get("retry-after")))
                continue
            if response.is_success:
                return response
            raise WooCommerceError(f"{url}: HTTP {response.status_code}{_shop_says(response)}"
                                   + (f" (gave up after {attempt + 1} tries)" if attempt else ""))
        raise AssertionError("unreachable")  # the loop returns or raises

    def _wait(self, attempt: int, retry_after: str | None) -> float:
        if retry_after is not None:
            try:
                return min(max(float(retry_after), 0.0), self.max_backoff)
            except ValueError:
                pass  # an HTTP date: fall back to our own schedule
        return float(min(self.backoff * 2**attempt, self.max_backoff))

    def pages(self, path: str, params: dict[str, Any] | None = None) -> Iterator[list[dict[str, Any]]]:
        """Every page of a collection, ``per_page=100``, until ``X-WP-TotalPages`` (or an empty page)."""
        page = 1
        while True:
            response = self.get(path, {**(params or {}), "page": page, "per_page": PER_PAGE})
            try:
                body = response.json()
            except ValueError as exc:
                raise WooCommerceError(f"{self.base}/{path}: the shop did not answer with JSON") from exc
            if not isinstance(body, list):
                raise WooCommerceError(f"{self.base}/{path}: expected a JSON list, got {type(body).__name__}")
            if body:
                yield body
            total = response.headers.get("x-wp-totalpages")
            if not body or (total is not None and total.isdigit() and page >= int(total)):
                return
            page += 1

    def all(self, path: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        return [record for page in self.pages(path, params) for record in page]


def _shop_says(response: httpx.Response) -> str:
    """WooCommerce errors are ``{"code": ..., "message": ...}``; show them, shortened. Redirects are not followed
    (the credentials would not go along to another host): name the new address instead."""
    if response.is_redirect and response.headers.get("location"):
        target = urlsplit(response.headers["location"])
        return f": the shop moved to {target.scheme}://{target.netloc}; use that as the shop's address"
    try:
        body = response.json()
    except ValueError:
        return ""
    if isinstance(body, dict) and body.get("code"):
        message = str(body.get("message", ""))[:200]
        return f": {body['code']}: {message}" if message else f": {body['code']}"
    return ""
