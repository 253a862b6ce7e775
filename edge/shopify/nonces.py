"""Single-use ``state`` values of the install flow, shared by every worker in one SQLite file (0600).

A state is issued for one shop when the install link is followed and taken (deleted) by the callback: a
second callback with it, one for another shop, or one later than ``STATE_SECONDS`` finds nothing.
"""

from __future__ import annotations

import os
import secrets
import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from edge.errors import SkyltError
from edge.private import FILE_MODE, private_dir, private_files

FILE = "install-states.sqlite3"
STATE_SECONDS = 600.0


class InstallStates:
    def __init__(self, directory: str | Path) -> None:
        self.path = Path(directory) / FILE
        try:
            private_dir(self.path.parent)
            os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT, FILE_MODE))  # before SQLite makes it 0644
            private_files(self.path.parent, (FILE,))
            with self._db() as db:
                db.execute("CREATE TABLE IF NOT EXISTS states (state TEXT PRIMARY KEY, shop TEXT NOT NULL, "
                           "at REAL NOT NULL)")
        except (OSError, sqlite3.Error) as exc:
            raise SkyltError(f"{self.path}: cannot open the install states: {exc}") from exc

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        with closing(sqlite3.connect(self.path, timeout=30)) as db, db:  # the inner `with` commits
            yield db

    def issue(self, shop: str, now: float | None = None) -> str:
        now = time.time() if now is None else now
        state = secrets.token_urlsafe(32)
        with self._db() as db:
            db.execute("DELETE FROM states WHERE at < ?", (now - STATE_SECONDS,))
            db.execute("INSERT INTO states VALUES (?, ?, ?)", (state, shop, now))
        return state

    def take(self, state: str, shop: str, now: float | None = None) -> bool:
        """True once for a state issued for ``shop`` less than ``STATE_SECONDS`` ago; False ever after."""
        now = time.time() if now is None else now
        with self._db() as db:
            cur = db.execute("DELETE FROM states WHERE state = ? AND shop = ? AND at >= ?",
                             (state, shop, now - STATE_SECONDS))
            return cur.rowcount == 1
