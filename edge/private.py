"""Modes of the stores that hold customer data: directories 0700, files 0600, whatever the umask.

A mode given at creation can only be narrowed by the umask, never widened, so new files are made
with these modes; a store made by an older Skylt (world-readable) is narrowed when it is opened.
"""

from __future__ import annotations

import os
import stat
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
