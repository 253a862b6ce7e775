"""Numba's on-disk cache, kept true across the kernels' files.

Numba stamps a cached kernel with its own source file only, but the kernels inline helpers from
sibling modules (``plan`` calls ``rank``, ``rank`` calls ``top_k``'s helpers, ...): after an
upgrade that changed only a helper, a cached caller would go on running the old helper. The
locators below stamp every kernel with all of ``edge/scoring``'s sources instead, so any change
there compiles them all again. Imported (and installed) by ``edge/scoring/__init__.py`` before any kernel.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from numba.core import caching

HERE = Path(__file__).resolve().parent


def sources_stamp(directory: Path = HERE) -> bytes:
    """SHA-256 over every ``.py`` file of ``directory``, by name and content."""
    digest = hashlib.sha256()
    for path in sorted(directory.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.digest()


STAMP = sources_stamp()


class _AllSources:
    """For kernel files only, stamped with every kernel source (mixed into numba's locators)."""

    @classmethod
    def from_function(cls, py_func: Any, py_file: str) -> Any:
        if Path(py_file).resolve().parent != HERE:
            return None
        return super().from_function(py_func, py_file)  # type: ignore[misc]

    def get_source_stamp(self) -> bytes:
        return STAMP


class KernelUserCacheLocator(_AllSources, caching.UserProvidedCacheLocator):
    """``NUMBA_CACHE_DIR`` when set (the Docker image sets it)."""


class KernelInTreeCacheLocator(_AllSources, caching.InTreeCacheLocator):
    """``__pycache__`` beside the kernels otherwise."""


LOCATORS: list[type] = [KernelUserCacheLocator, KernelInTreeCacheLocator]


def install() -> None:
    """Put the kernel locators first (once): numba asks each locator in turn and takes the first that fits.
    Numba's locator list is not public API; tests/scoring/test_cache.py checks it still works this way."""
    classes: list[type] = caching.CacheImpl._locator_classes  # type: ignore[assignment]
    if classes[0] not in LOCATORS:
        classes[:0] = LOCATORS


install()
