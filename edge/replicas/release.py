"""What a store holds: ``<url>/<version>/`` with the version's files and ``release.json`` (name, size and
SHA-256 of each), and ``<url>/LATEST`` naming the newest complete version. LATEST is written last, so a
reader never sees a version before all of its files are in place."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from typing import Any

import msgspec

from edge.errors import StoreError

LATEST = "LATEST"
RELEASE = "release.json"
CHUNK = 1 << 20
# Version names as the builder writes them (edge/build/pipeline.py): never a path.
VERSION = re.compile(r"[0-9A-Za-z][0-9A-Za-z._-]{0,127}")


class ReleaseFile(msgspec.Struct, forbid_unknown_fields=True):
    name: str
    size: int
    sha256: str


class Release(msgspec.Struct, forbid_unknown_fields=True):
    version: str
    files: list[ReleaseFile]


encode_release = msgspec.json.Encoder().encode
_decode_release = msgspec.json.Decoder(Release).decode


def decode_release(raw: bytes, where: str) -> Release:
    try:
        release = _decode_release(raw)
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise StoreError(f"{where}: not a release manifest: {exc}") from exc
    for f in release.files:
        if not VERSION.fullmatch(f.name) or f.size < 0 or not re.fullmatch(r"[0-9a-f]{64}", f.sha256):
            raise StoreError(f"{where}: bad file entry {f.name!r}")
    return release


def check_version(name: str, where: str) -> str:
    if not VERSION.fullmatch(name):
        raise StoreError(f"{where}: {name[:60]!r} is not a snapshot version name")
    return name


def digest(chunks: Iterable[bytes]) -> tuple[int, str]:
    """(size, SHA-256 hex) of a stream of chunks."""
    h = hashlib.sha256()
    size = 0
    for chunk in chunks:
        h.update(chunk)
        size += len(chunk)
    return size, h.hexdigest()


def chunks(handle: Any) -> Iterable[bytes]:
    while chunk := handle.read(CHUNK):
        yield chunk
