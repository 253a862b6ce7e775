"""One worker's connection to the shared state store, and what its failures become.

Every call is bounded by ``state_timeout``. A store that does not answer raises
``StateUnavailableError`` (503 for writes; reads catch it and go on without the store), is
logged once per outage and counted; for ``RETRY_SECONDS`` after that, calls fail at once
instead of each waiting for a timeout, so a dead store costs the request path nothing.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from edge.errors import SkyltError, StateUnavailableError, StorageFullError

log = logging.getLogger("skylt.state")

RETRY_SECONDS = 1.0
PREFIX = "skylt:"  # every key Skylt writes starts with it; share a server between shops by database number


class SharedState:
    def __init__(self, url: str, timeout: float = 0.25, on_error: Callable[[str], None] | None = None) -> None:
        try:
            self.client = redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout,
                                               retry=Retry(NoBackoff(), 0), retry_on_timeout=False)
        except ValueError as exc:
            raise SkyltError(f"setting state_url: cannot use it: {exc}") from exc
        self.where = redacted(url)
        self._on_error = on_error
        self._down_until = 0.0
        self._down = False
        self._lock = threading.Lock()

    @contextlib.contextmanager
    def call(self, what: str) -> Iterator[Any]:
        """The client, for one operation named ``what`` (in logs and the error metric). Typed Any:
        redis-py's types mix its synchronous and asynchronous answers."""
        if self._down and time.monotonic() < self._down_until:
            self._failed(what, None)
        try:
            yield self.client
        except redis.exceptions.ResponseError as exc:
            if str(exc).startswith(("OOM", "EXECABORT")):  # maxmemory reached: nothing of the call was kept
                raise StorageFullError(f"the shared state store is full ({exc}); retry later") from exc
            raise SkyltError(f"the shared state store refused {what}: {exc}") from exc
        except redis.exceptions.RedisError as exc:
            self._failed(what, exc)
        else:
            if self._down:
                with self._lock:
                    if self._down:
                        self._down = False
                        log.warning("shared state store %s answers again", self.where)

    def _failed(self, what: str, exc: Exception | None) -> None:
        if exc is not None:
            with self._lock:
                self._down_until = time.monotonic() + RETRY_SECONDS
                if not self._down:
                    self._down = True
                    log.error("shared state store %s does not answer (%s: %s); serving without it",
                              self.where, what, exc)
        if self._on_error is not None:
            self._on_error(what)
        raise StateUnavailableError(f"the shared state store does not answer ({what}); retry later") from exc

    def close(self) -> None:
        self.client.close()


def redacted(url: str) -> str:
    """The URL without a password, for logs."""
    head, sep, tail = url.partition("@")
    return tail if sep else head
