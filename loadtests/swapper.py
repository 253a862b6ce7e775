"""Republishing a snapshot the way ``skylt build`` does: a complete version directory under a new
name, then ``current`` repointed atomically (a new symlink renamed over the old one)."""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

CURRENT = "current"
KEEP = 3  # copies kept besides the one being served: workers may still hold older ones


def private_copy(tables: Path, dest: Path) -> Path:
    """A tables directory holding only a copy of ``tables``' current version (never touch the original)."""
    version = os.readlink(tables / CURRENT)
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copytree(tables / version, dest / Path(version).name)
    point(dest, Path(version).name)
    return dest


def point(root: Path, version: str) -> None:
    tmp = root / f".{CURRENT}.tmp"
    tmp.unlink(missing_ok=True)
    os.symlink(version, tmp)
    os.replace(tmp, root / CURRENT)


def republish(root: Path, n: int) -> str:
    """Copy the current version to ``<version>-swapNNN`` and point ``current`` at it."""
    current = os.readlink(root / CURRENT)
    base = current.split("-swap")[0]
    name = f"{base}-swap{n:03d}"
    staging = root / f".{name}.tmp"
    shutil.copytree(root / current, staging)
    os.replace(staging, root / name)  # the directory appears complete or not at all
    point(root, name)
    return name


def prune(root: Path, published: list[str]) -> None:
    for old in published[:-KEEP]:
        shutil.rmtree(root / old, ignore_errors=True)


def republish_every(root: Path, seconds: float, stop: threading.Event, published: list[str]) -> None:
    """Republish every ``seconds`` until ``stop`` is set, appending each new name to ``published``."""
    while not stop.wait(seconds):
        published.append(republish(root, len(published) + 1))
        prune(root, published)
