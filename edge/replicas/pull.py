"""``skylt serve --pull URL``: keep the tables directory a verified local copy of the store's LATEST.

A new version is downloaded beside the served one into ``.<version>.partial``, every file checked against
the release's size and SHA-256 and the snapshot opened once, and only then renamed into place with
``current`` repointed, exactly as a local build publishes. The servers' usual watch then swaps it in. A
truncated, corrupt or half-published download is removed and never served; the old version keeps serving.
Workers of one machine share the directory: a file lock lets one of them download while the others wait
and then find the version in place.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import hashlib
import logging
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from edge.build.writer import PARTIAL_SUFFIX, point_current, prune
from edge.errors import SkyltError
from edge.fsync import fsync_dir
from edge.replicas.release import LATEST, RELEASE, StoreError, check_version, chunks, decode_release
from edge.replicas.remote import open_store
from edge.store import Snapshot, SnapshotDir

log = logging.getLogger("skylt.pull")
LOCK_FILE = ".pull.lock"


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


class Puller:
    def __init__(self, url: str, tables: Path, keep: int = 3, storage_options: dict[str, Any] | None = None) -> None:
        self.url = url
        self.tables = Path(tables)
        self.keep = keep
        self.fs, self.root = open_store(url, storage_options)

    def latest(self) -> str:
        try:
            raw = self.fs.cat_file(f"{self.root}/{LATEST}")
        except (OSError, ValueError) as exc:  # FileNotFoundError: nothing published yet
            raise StoreError(f"{self.url}: cannot read {LATEST}: {exc}") from exc
        return check_version(raw.decode("ascii", "replace").strip(), f"{self.url}/{LATEST}")

    def pull(self) -> str | None:
        """Make the store's newest version current here; the version when ``current`` changed, else None."""
        latest = self.latest()
        here = SnapshotDir(self.tables)
        if here.current_version() == latest:
            return None
        self.tables.mkdir(parents=True, exist_ok=True)
        with _locked(self.tables / LOCK_FILE):
            if here.current_version() == latest:  # another worker fetched it meanwhile
                return None
            if not (self.tables / latest / "data.mdb").is_file():
                self._download(latest)
            else:  # kept from before (a rollback to an earlier version): verified when it was fetched
                point_current(self.tables, latest)
            prune(self.tables, self.keep)
        log.info("pulled snapshot %s from %s", latest, self.url)
        return latest

    def _download(self, version: str) -> None:
        where = f"{self.url}/{version}"
        try:
            release = decode_release(self.fs.cat_file(f"{self.root}/{version}/{RELEASE}"), f"{where}/{RELEASE}")
        except (OSError, ValueError) as exc:
            raise StoreError(f"{where}: cannot read {RELEASE}: {exc}") from exc
        if release.version != version or "data.mdb" not in {f.name for f in release.files}:
            raise StoreError(f"{where}/{RELEASE}: describes {release.version!r}, not a snapshot of {version!r}")
        partial = self.tables / f".{version}{PARTIAL_SUFFIX}"
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir()
        try:
            for entry in release.files:
                self._fetch(f"{where}/{entry.name}", f"{self.root}/{version}/{entry.name}", partial / entry.name,
                            entry.size, entry.sha256)
            fsync_dir(partial)
            Snapshot(partial).close()  # opens as a snapshot: the manifest and every array are where it says
            os.replace(partial, self.tables / version)
            point_current(self.tables, version)
        except BaseException:
            shutil.rmtree(partial, ignore_errors=True)
            raise

    def _fetch(self, where: str, remote: str, local: Path, size: int, sha256: str) -> None:
        h = hashlib.sha256()
        got = 0
        try:
            with self.fs.open(remote, "rb") as src, local.open("wb") as dst:
                for chunk in chunks(src):
                    got += len(chunk)
                    if got > size:
                        break
                    h.update(chunk)
                    dst.write(chunk)
                dst.flush()
                os.fsync(dst.fileno())
        except OSError as exc:
            raise StoreError(f"{where}: download failed: {exc}") from exc
        if got != size:
            raise StoreError(f"{where}: {'more' if got > size else got} bytes, the release says {size}")
        if h.hexdigest() != sha256:
            raise StoreError(f"{where}: SHA-256 does not match the release")

    def pull_logged(self) -> str | None:
        """``pull`` for a server: a store that is down or broken is logged, and the served version stays."""
        try:
            return self.pull()
        except (SkyltError, OSError) as exc:
            log.warning("snapshot pull from %s failed: %s", self.url, exc)
            return None

    async def watch(self, interval: float, refresh: Any) -> None:
        """Pull every ``interval`` seconds; ``refresh`` (the holder's) swaps a new version in at once."""
        while True:
            await asyncio.sleep(interval)
            if await asyncio.to_thread(self.pull_logged) is not None:
                await refresh()
