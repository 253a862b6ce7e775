"""The per-install salt and the hashed ids made with it.

User ids never reach the disk raw: the profile store and the event log both key them by
HMAC-SHA256(salt, id), so erasure can find them and a copied disk does not reveal them.
The salt is made once, in the profile directory (0700), readable by the server's user only.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import secrets
from pathlib import Path

from edge.errors import SkyltError
from edge.fsync import fsync_dir, write_all
from edge.private import FILE_MODE, private_dir

SALT_FILE = "salt"
SALT_BYTES = 32
HASH_HEX = 32  # 128 bits: collisions are out of reach for any shop's customer count


def load_salt(directory: str | os.PathLike[str]) -> bytes:
    """The salt in ``directory``, made there (mode 0600) if there is none yet.

    Workers starting together race to make it: each writes a private file and hard-links it
    into place, which fails for all but the first, and the rest read the winner's."""
    folder = Path(directory)
    path = folder / SALT_FILE
    try:
        private_dir(folder)
        if not path.exists():
            scratch = folder / f".{SALT_FILE}.{os.getpid()}.{secrets.token_hex(4)}"
            fd = os.open(scratch, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
            try:
                write_all(fd, secrets.token_bytes(SALT_BYTES))
                os.fsync(fd)
            finally:
                os.close(fd)
            with contextlib.suppress(FileExistsError):
                os.link(scratch, path)
            scratch.unlink()
            fsync_dir(folder)
        salt = path.read_bytes()
    except OSError as exc:
        raise SkyltError(f"{path}: cannot read or create the id salt: {exc}") from exc
    if len(salt) != SALT_BYTES:
        raise SkyltError(f"{path}: the id salt has {len(salt)} bytes, expected {SALT_BYTES}")
    return salt


def hash_id(salt: bytes, value: str) -> str:
    return hmac.new(salt, value.encode(), hashlib.sha256).hexdigest()[:HASH_HEX]
