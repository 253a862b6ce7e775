"""Single-use ``state`` values of the install flow, shared by every worker in one SQLite file (0600).

A state is issued for one shop when the install link is followed and taken (deleted) by the callback: a
second callback with it, one for another shop, or one later than ``STATE_SECONDS`` finds nothing.
"""

from __future__ import annotations

import contextlib
import secrets
import sqlite3
import time
from pathlib import Path

from edge.errors import SkyltError
from edge.private import private_sqlite, sqlite_transaction

FILE = "install-states.sqlite3"
STATE_SECONDS = 600.0


class InstallStates:
    def __init__(self, directory: str | Path) -> None:
        self.path = Path(directory) / FILE
        try:
            private_sqlite(self.path)
            with self._db() as db:
                db.execute("CREATE TABLE IF NOT EXISTS states (state TEXT PRIMARY KEY, shop TEXT NOT NULL, "
                           "at REAL NOT NULL)")
        except (OSError, sqlite3.Error) as exc:
            raise SkyltError(f"{self.path}: cannot open the install states: {exc}") from exc

    def _db(self) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        return sqlite_transaction(self.path)

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
