"""Waiting in tests: poll what is awaited against a deadline, never sleep a fixed time."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")
POLL = 0.02  # seconds between looks: short against every deadline, long enough not to spin a core


def wait_until(predicate: Callable[[], T], timeout: float = 10.0, what: str = "") -> T:
    """The first truthy value of ``predicate()``, polled until ``timeout`` seconds have passed; then TimeoutError."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise TimeoutError(f"not within {timeout}s: {what or predicate!r}")
        time.sleep(POLL)


async def async_wait_until(predicate: Callable[[], T | Awaitable[T]], timeout: float = 10.0, what: str = "") -> T:
    """As ``wait_until``, on the event loop; ``predicate`` may be a coroutine function."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if isinstance(value, Awaitable):
            value = await value
        if value:
            return value  # type: ignore[return-value]
        if time.monotonic() >= deadline:
            raise TimeoutError(f"not within {timeout}s: {what or predicate!r}")
        await asyncio.sleep(POLL)
