"""Modes of the stores that hold customer data: directories 0700, files 0600, whatever the umask.

A mode given at creation can only be narrowed by the umask, never widened, so new files are made
with these modes; a store made by an older Skylt (world-readable) is narrowed when it is opened.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

DIR_MODE = 0o700
FILE_MODE = 0o600


def private_dir(path: str | os.PathLike[str]) -> Path:
    """``path`` made (with its missing parents) or narrowed to 0700."""
    folder = Path(path)
    folder.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
    narrow(folder, DIR_MODE)
    return folder


def narrow(path: Path, mode: int) -> None:
    """Take away every permission beyond ``mode`` (a file owned by someone else is left as it is)."""
    try:
        current = stat.S_IMODE(path.stat().st_mode)
        if current & ~mode:
            os.chmod(path, current & mode)
    except (FileNotFoundError, PermissionError):
        pass


def private_files(folder: Path, names: tuple[str, ...] | None = None) -> None:
    """Narrow the regular files in ``folder`` (or only ``names``) to 0600."""
    paths = [folder / n for n in names] if names is not None else list(folder.iterdir())
    for path in paths:
        if path.is_file():
            narrow(path, FILE_MODE)


def private_sqlite(path: Path) -> None:
    """Make a SQLite file 0600 in a 0700 folder before SQLite creates it 0644 (its -wal and -shm then take the
    file's mode), and narrow those of an older Skylt."""
    private_dir(path.parent)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, FILE_MODE))
    private_files(path.parent, (path.name, f"{path.name}-wal", f"{path.name}-shm"))


@contextlib.contextmanager
def sqlite_transaction(path: Path) -> Iterator[sqlite3.Connection]:
    """A short connection whose changes are committed when the block ends without an error."""
    with contextlib.closing(sqlite3.connect(path, timeout=30)) as db, db:  # the inner `with` commits
        yield db
