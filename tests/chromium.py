"""Real Chromium (Debian's package) driven by Playwright, shared by every browser test.

No browser is downloaded: Playwright launches /usr/bin/chromium. Without it the browser tests skip, except in CI,
where a missing browser is a failure (tests/requires.py).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.requires import missing

# The closed network refuses Chromium's background connections; these flags keep it from trying.
FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage"]


def chromium_path() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        missing("chromium", "apt-get install chromium")
    return found


@dataclass
class PageLog:
    """What a page said while it ran: console messages by type and uncaught exceptions."""

    console: list[tuple[str, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def of_type(self, kind: str) -> list[str]:
        return [text for t, text in self.console if t == kind]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One Chromium per test module: Playwright's sync API keeps an event loop running in this thread while it
    is open, which would break ``asyncio.run`` in every test that comes after it."""
    path = chromium_path()
    try:
        import playwright.sync_api as playwright_api
    except ImportError:
        missing("playwright", "pip install -e '.[test]'")
    with playwright_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=path, args=FLAGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh context (empty storage) and page; ``page.skylt_log`` holds its console and uncaught errors."""
    context = browser.new_context()
    tab = context.new_page()
    log = PageLog()
    tab.on("console", lambda msg: log.console.append((msg.type, msg.text)))
    tab.on("pageerror", lambda exc: log.errors.append(str(exc)))
    tab.skylt_log = log
    try:
        yield tab
    finally:
        context.close()
