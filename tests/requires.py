"""Tests that need a real outside component (Chromium, node packages, PHP, MariaDB) skip when it is missing on a
developer's machine, but fail in CI (``SKYLT_CI=1``, set by .ci/run), which installs all of them."""

from __future__ import annotations

import os
from typing import NoReturn

import pytest


def missing(what: str, install: str) -> NoReturn:
    message = f"{what} is not available ({install})"
    if os.environ.get("SKYLT_CI") == "1":
        pytest.fail(f"{message}; CI installs it, so this is a failure")
    pytest.skip(message)
