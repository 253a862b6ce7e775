"""The disk floor: below ``min_free_disk_bytes`` free, nothing more is accepted for storage.

Checked before anything is appended or acknowledged (POST /v1/events, Shopify orders), on the
filesystems of the event log and of the profiles, so a client told 503 may retry and lose nothing,
and the event log can never fill the disk. One ``statvfs`` per path, a few microseconds.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path

from edge.errors import StorageFullError


def free_bytes(path: str | os.PathLike[str]) -> int:
    """Bytes an unprivileged process may still write on the filesystem of ``path`` (or of its
    nearest existing parent: a store may not exist yet)."""
    where = Path(path).absolute()
    while not where.exists() and where != where.parent:
        where = where.parent
    st = os.statvfs(where)
    return st.f_bavail * st.f_frsize


class DiskFloor:
    def __init__(self, paths: Iterable[str | os.PathLike[str]], min_free: int,
                 free: Callable[[str | os.PathLike[str]], int] = free_bytes) -> None:
        self.paths = tuple(dict.fromkeys(Path(p) for p in paths))
        self.min_free = min_free
        self.free = free

    def check(self) -> None:
        """Raise ``StorageFullError`` while any of the paths' filesystems is below the floor."""
        if self.min_free <= 0:
            return
        for path in self.paths:
            try:
                left = self.free(path)
            except OSError as exc:
                raise StorageFullError(f"cannot tell the free space where {path.name} is stored: {exc}") from exc
            if left < self.min_free:
                raise StorageFullError(f"the disk of the {path.name} store has {left} bytes free, under the "
                                       f"floor of {self.min_free} (setting min_free_disk_bytes); retry later")
