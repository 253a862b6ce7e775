"""One POST with bounded retries: 429 waits for Retry-After, 5xx and network errors back off with full jitter,
other 4xx are final (reported, never retried). A run never waits longer than ``MAX_WAIT`` for one delivery:
what still fails stays an intent, and the next run sends it again under the same idempotency key."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

import httpx

ATTEMPTS = 5
BASE = 0.5       # seconds, doubled per attempt
CAP = 30.0       # the most one back-off waits
MAX_WAIT = 120.0  # the most one delivery waits in all
TIMEOUT = 10.0


@dataclass(frozen=True)
class Outcome:
    ok: bool
    final: bool          # True: sending again would not help (a 4xx other than 429)
    status: int | None
    detail: str
    attempts: int


def retry_after(value: str | None, now: float) -> float | None:
    """Seconds to wait: Retry-After as seconds or as an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        return max(parsedate_to_datetime(value).timestamp() - now, 0.0)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def post(client: httpx.Client, url: str, body: bytes, headers: Callable[[], dict[str, str]], *,
         sleep: Callable[[float], None] = time.sleep, jitter: Callable[[], float] = random.random) -> Outcome:
    """``headers`` is called per attempt (a webhook signs each attempt with its own timestamp)."""
    waited = 0.0
    status: int | None = None
    detail = ""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            answer = client.post(url, content=body, headers=headers(), timeout=TIMEOUT)
        except httpx.HTTPError as exc:
            status, detail = None, f"{type(exc).__name__}: {exc}"
            wait = min(CAP, BASE * 2 ** attempt) * jitter()
        else:
            status = answer.status_code
            if 200 <= status < 300:
                return Outcome(True, False, status, "", attempt)
            detail = answer.text[:300]
            if status == 429:
                told = retry_after(answer.headers.get("retry-after"), time.time())
                backoff = min(CAP, BASE * 2 ** attempt)
                wait = (told if told is not None else backoff) + jitter() * BASE  # spread the replicas' retries
            elif status >= 500 or status == 408:
                wait = min(CAP, BASE * 2 ** attempt) * jitter()
            else:
                return Outcome(False, True, status, detail, attempt)
        if attempt == ATTEMPTS or waited + wait > MAX_WAIT:
            break
        sleep(wait)
        waited += wait
    return Outcome(False, False, status, detail or "gave up", attempt)
