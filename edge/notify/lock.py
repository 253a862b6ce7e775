"""One `skylt notify` at a time per shop: two runs would both find the same trigger unsent and both send it (the
receivers would keep it once, but the cap and the report would count it twice). On this machine an ``flock`` on a
file beside the state (released when the process dies); with ``state_url`` a Redis key set if absent, which
expires after ``SHARED_SECONDS`` should a run die holding it."""

from __future__ import annotations

import contextlib
import fcntl
import os
import secrets
from collections.abc import Iterator
from pathlib import Path

from edge.config import Settings
from edge.errors import SkyltError
from edge.private import FILE_MODE, private_dir

LOCK_FILE = ".notify.lock"
SHARED_KEY = "skylt:notify:lock"
SHARED_SECONDS = 1800
_RELEASE = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0"
BUSY = "another `skylt notify` is running; this run sends nothing"


@contextlib.contextmanager
def one_run(settings: Settings) -> Iterator[None]:
    if settings.state_url:
        from edge.shared.client import SharedState

        state = SharedState(settings.state_url, max(settings.state_timeout, 2.0))
        token = secrets.token_hex(16)
        try:
            with state.call("notify lock") as r:
                if not r.set(SHARED_KEY, token, nx=True, ex=SHARED_SECONDS):
                    raise SkyltError(f"{BUSY} (the key {SHARED_KEY} expires {SHARED_SECONDS} s after it started)")
            try:
                yield
            finally:
                with state.call("notify unlock") as r:
                    r.eval(_RELEASE, 1, SHARED_KEY, token)
        finally:
            state.close()
        return
    folder = private_dir(Path(settings.notify_state))
    fd = os.open(folder / LOCK_FILE, os.O_WRONLY | os.O_CREAT, FILE_MODE)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise SkyltError(BUSY) from None
        yield
    finally:
        os.close(fd)  # closing releases the lock
