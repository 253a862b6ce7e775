"""``skylt publish``: copy a finished snapshot version to a store, LATEST last."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from edge.replicas.release import LATEST, RELEASE, Release, ReleaseFile, StoreError, chunks, digest, encode_release
from edge.replicas.remote import open_store
from edge.store import SnapshotDir

# LMDB's lock file belongs to the processes on one machine, never to a release.
LOCAL_ONLY = frozenset({"lock.mdb"})


def publish(tables: Path, url: str, version: str | None = None,
            storage_options: dict[str, Any] | None = None) -> Release:
    """Upload ``version`` (default: the one ``current`` points to) of ``tables`` and make it the store's LATEST."""
    version = version or SnapshotDir(tables).current_version()
    if version is None:
        raise StoreError(f"{tables}: no current snapshot to publish; run `skylt build` first")
    source = tables / version
    if not (source / "data.mdb").is_file():
        raise StoreError(f"{source}: not a snapshot version (no data.mdb)")
    fs, root = open_store(url, storage_options)
    target = f"{root}/{version}"
    files = []
    try:
        fs.makedirs(target, exist_ok=True)
        for path in sorted(p for p in source.iterdir() if p.is_file() and p.name not in LOCAL_ONLY):
            with path.open("rb") as handle:
                size, sha256 = digest(chunks(handle))
            fs.put_file(str(path), f"{target}/{path.name}")
            files.append(ReleaseFile(name=path.name, size=size, sha256=sha256))
        release = Release(version=version, files=files)
        fs.pipe_file(f"{target}/{RELEASE}", encode_release(release))
        fs.pipe_file(f"{root}/{LATEST}", version.encode())
    except OSError as exc:
        raise StoreError(f"{url}: publishing {version} failed: {exc}") from exc
    return release
