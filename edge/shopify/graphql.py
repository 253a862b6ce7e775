"""A small Admin GraphQL client: one POST per query, with Shopify's two kinds of throttling handled.

- HTTP 429: wait ``Retry-After`` seconds (1 s when absent) and retry.
- A ``THROTTLED`` error in a 200 answer: the cost bucket cannot pay for the query yet. Wait until it has
  restored enough (``(requestedQueryCost - currentlyAvailable) / restoreRate`` from ``extensions.cost``),
  then retry.
- 5xx answers and connection errors: retried with exponential backoff.

``sleep`` is injectable so tests run without waiting.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from edge.errors import SkyltError

log = logging.getLogger("skylt.shopify")

API_VERSION = "2026-10"  # the version plugins/shopify/shopify.app.toml subscribes webhooks at
MAX_ATTEMPTS = 8


class ShopifyError(SkyltError):
    """The Admin API refused a query, or kept failing after every retry."""


def endpoint(shop: str, api_version: str) -> str:
    """``shop.myshopify.com`` -> its Admin GraphQL address. A full URL (a test server) is used as the base."""
    base = shop.rstrip("/") if "://" in shop else f"https://{shop.strip().rstrip('/')}"
    return f"{base}/admin/api/{api_version}/graphql.json"


def throttle_wait(body: dict[str, Any]) -> float | None:
    """Seconds until the bucket can pay for the query, when ``body`` is a THROTTLED answer; else None."""
    errors = body.get("errors")
    if not isinstance(errors, list) or not any(
            isinstance(e, dict) and (e.get("extensions") or {}).get("code") == "THROTTLED" for e in errors):
        return None
    cost = (body.get("extensions") or {}).get("cost") or {}
    status = cost.get("throttleStatus") or {}
    try:
        missing = float(cost.get("requestedQueryCost", 0)) - float(status.get("currentlyAvailable", 0))
        rate = float(status.get("restoreRate") or 0)
    except (TypeError, ValueError):
        return 1.0
    return max(missing / rate, 0.0) + 0.05 if rate > 0 and math.isfinite(missing) else 1.0


class AdminClient:
    def __init__(self, shop: str, token: str, *, api_version: str = API_VERSION,
                 sleep: Callable[[float], None] = time.sleep, timeout: float = 60.0) -> None:
        self.url = endpoint(shop, api_version)
        self.sleep = sleep
        self.http = httpx.Client(headers={"X-Shopify-Access-Token": token, "Content-Type": "application/json",
                                          "User-Agent": "skylt-shopify-sync"},
                                 timeout=timeout)
        self.files = httpx.Client(timeout=300.0, follow_redirects=True)  # signed URLs: no token sent
        self.waited = 0.0  # seconds spent backing off; the CLI reports it

    def __enter__(self) -> AdminClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.http.close()
        self.files.close()

    def _wait(self, seconds: float, why: str) -> None:
        log.info("shopify: %s; waiting %.1f s", why, seconds)
        self.waited += seconds
        self.sleep(seconds)

    def query(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """The ``data`` of a successful answer."""
        for attempt in range(MAX_ATTEMPTS):
            try:
                response = self.http.post(self.url, json={"query": query, "variables": variables or {}})
            except httpx.TransportError as exc:
                self._wait(min(2.0**attempt, 60.0), f"cannot reach {self.url}: {exc}")
                continue
            if response.status_code == 429:
                self._wait(_retry_after(response.headers.get("retry-after")), "HTTP 429 Too Many Requests")
                continue
            if response.status_code >= 500:
                self._wait(min(2.0**attempt, 60.0), f"HTTP {response.status_code}")
                continue
            if response.status_code in (401, 403):
                raise ShopifyError(f"{self.url}: HTTP {response.status_code}: the access token is wrong or lacks "
                                   "a scope (read_products, read_inventory, read_orders)")
            if response.status_code != 200:
                raise ShopifyError(f"{self.url}: HTTP {response.status_code}: {response.text[:200]}")
            try:
                body = response.json()
            except ValueError as exc:
                raise ShopifyError(f"{self.url}: the answer is not JSON") from exc
            wait = throttle_wait(body)
            if wait is not None:
                self._wait(wait, "THROTTLED: the query cost bucket is empty")
                continue
            if body.get("errors"):
                messages = "; ".join(str(e.get("message", e)) if isinstance(e, dict) else str(e)
                                     for e in body["errors"])
                raise ShopifyError(f"{self.url}: {messages}")
            data = body.get("data")
            if not isinstance(data, dict):
                raise ShopifyError(f"{self.url}: the answer has no data")
            return data
        raise ShopifyError(f"{self.url}: still throttled or failing after {MAX_ATTEMPTS} attempts")

    def download(self, url: str, dest: Path) -> None:
        """Stream a bulk operation's result file to ``dest``."""
        with self.files.stream("GET", url) as response:
            if response.status_code != 200:
                raise ShopifyError(f"cannot download the bulk operation result: HTTP {response.status_code}")
            with open(dest, "wb") as f:
                for chunk in response.iter_bytes(1 << 20):
                    f.write(chunk)


def _retry_after(value: str | None) -> float:
    try:
        return min(max(float(value), 0.0), 600.0) if value else 1.0
    except ValueError:
        return 1.0
