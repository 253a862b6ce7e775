"""The trigger state in a private SQLite file (setting ``notify_state``): who consented, what they last did, what
was sent. With ``state_url`` the same interface lives in Redis (edge/shared/notify.py).

Only customers who gave marketing consent (a signed ``marketing: true``) have a row: their hashed id (the key the
profiles and the event log use), the shop's customer id in clear sealed with ``secret_key`` (edge/notify/ids.py),
and when they last viewed, carted and ordered. Withdrawal and erasure delete the row and every send record.

A send is recorded before it leaves (``intent``) and marked after the service took it (``sent``): a run killed
in between leaves an intent that the next run sends again, under the same idempotency key (Klaviyo's
``unique_id``, the webhook's ``id``), so a receiver sees a trigger at least once and keeps it once.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Protocol

import msgspec

from edge.private import private_sqlite, sqlite_transaction

FILE = "notify.sqlite"
MAX_ORDER_ITEMS = 50
INTENT, SENT, FAILED = "intent", "sent", "failed"


class Customer(msgspec.Struct, kw_only=True):
    user: str                    # hashed id (edge/profiles/salt.py)
    sealed: bytes                # the shop's customer id, encrypted
    since: float                 # consent given
    cart_at: float | None = None
    view_at: float | None = None
    order_at: float | None = None
    order_id: str | None = None
    order_items: list[str] = msgspec.field(default_factory=list)


class Activity(msgspec.Struct, array_like=True):
    """One stored event of a known customer: what the triggers need of it."""

    user: str
    kind: str
    ts: float
    item: str
    order: str | None = None


class Consent(msgspec.Struct, array_like=True):
    """A signed ``marketing`` flag: given with the sealed id, or withdrawn (``sealed`` None)."""

    user: str
    sealed: bytes | None
    ts: float


class NotifyStore(Protocol):
    def apply(self, consents: Iterable[Consent], activity: Iterable[Activity]) -> None: ...
    def customers(self) -> Iterator[Customer]: ...
    def forget(self, user: str) -> int: ...
    def sends_since(self, user: str, since: float) -> int: ...
    def status(self, key: str) -> str | None: ...
    def intend(self, key: str, user: str, now: float) -> None: ...
    def mark(self, key: str, state: str, now: float) -> None: ...
    def prune(self, before: float) -> int: ...
    def close(self) -> None: ...


_SCHEMA = """
CREATE TABLE IF NOT EXISTS customers (user TEXT PRIMARY KEY, sealed BLOB NOT NULL, since REAL NOT NULL,
    cart_at REAL, view_at REAL, order_at REAL, order_id TEXT, order_items TEXT NOT NULL DEFAULT '[]');
CREATE TABLE IF NOT EXISTS sends (key TEXT PRIMARY KEY, user TEXT NOT NULL, state TEXT NOT NULL, at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS sends_by_user ON sends (user, at);
"""


def trigger_of(send_key: str) -> str:
    """A send key is ``<trigger key>:<destination>``."""
    return send_key.rsplit(":", 1)[0]


def touched(row: Customer, act: Activity) -> None:
    """What one event changes in a customer's trigger times (shared with the Redis store)."""
    if act.kind in ("view", "click"):
        row.view_at = max(row.view_at or 0.0, act.ts)
    elif act.kind == "cart":
        row.cart_at = max(row.cart_at or 0.0, act.ts)
    elif act.kind == "purchase":
        if act.order is not None and act.order == row.order_id:
            if act.item not in row.order_items:
                row.order_items = [*row.order_items, act.item][-MAX_ORDER_ITEMS:]
        elif act.ts >= (row.order_at or 0.0):
            row.order_id, row.order_items = act.order, [act.item]
        row.order_at = max(row.order_at or 0.0, act.ts)


class NotifyState:
    def __init__(self, directory: str | Path) -> None:
        self.path = Path(directory) / FILE
        private_sqlite(self.path)
        with sqlite_transaction(self.path) as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(_SCHEMA)

    @classmethod
    def existing(cls, directory: str | Path) -> NotifyState | None:
        """The store, or None where none was made (and none is made here)."""
        return cls(directory) if (Path(directory) / FILE).is_file() else None

    def apply(self, consents: Iterable[Consent], activity: Iterable[Activity]) -> None:
        """Consent changes first (in order), then the activity of customers who hold consent: one transaction."""
        with sqlite_transaction(self.path) as db:
            for c in consents:
                if c.sealed is None:
                    _forget(db, c.user)
                else:
                    db.execute("INSERT INTO customers (user, sealed, since) VALUES (?, ?, ?) ON CONFLICT (user) "
                               "DO UPDATE SET sealed = excluded.sealed", (c.user, c.sealed, c.ts))
            rows: dict[str, Customer | None] = {}
            for act in activity:
                if act.user not in rows:
                    rows[act.user] = _get(db, act.user)
                row = rows[act.user]
                if row is not None:
                    touched(row, act)
            for row in rows.values():
                if row is not None:
                    db.execute("UPDATE customers SET cart_at = ?, view_at = ?, order_at = ?, order_id = ?, "
                               "order_items = ? WHERE user = ?", (row.cart_at, row.view_at, row.order_at,
                                                                  row.order_id, json.dumps(row.order_items),
                                                                  row.user))

    def customers(self) -> Iterator[Customer]:
        with sqlite_transaction(self.path) as db:
            found = db.execute(f"SELECT {_COLUMNS} FROM customers ORDER BY user").fetchall()
        yield from (_customer(r) for r in found)

    def forget(self, user: str) -> int:
        """Withdrawal and erasure: the customer's row and send records; 1 if a row was deleted."""
        with sqlite_transaction(self.path) as db:
            return _forget(db, user)

    def sends_since(self, user: str, since: float) -> int:
        """Triggers sent (or being sent) to the customer since ``since``, over every destination."""
        with sqlite_transaction(self.path) as db:
            keys = db.execute("SELECT key FROM sends WHERE user = ? AND at >= ? AND state != ?",
                              (user, since, FAILED)).fetchall()
        return len({trigger_of(k[0]) for k in keys})

    def status(self, key: str) -> str | None:
        with sqlite_transaction(self.path) as db:
            row = db.execute("SELECT state FROM sends WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def intend(self, key: str, user: str, now: float) -> None:
        """Recorded, and on disk, before the send leaves (an intent already there keeps its time)."""
        with sqlite_transaction(self.path) as db:
            db.execute("INSERT INTO sends (key, user, state, at) VALUES (?, ?, ?, ?) ON CONFLICT (key) DO NOTHING",
                       (key, user, INTENT, now))

    def mark(self, key: str, state: str, now: float) -> None:
        with sqlite_transaction(self.path) as db:
            db.execute("UPDATE sends SET state = ?, at = ? WHERE key = ?", (state, now, key))

    def prune(self, before: float) -> int:
        """Send records older than every window that could still ask for them."""
        with sqlite_transaction(self.path) as db:
            return db.execute("DELETE FROM sends WHERE at < ?", (before,)).rowcount

    def close(self) -> None:
        pass  # every call opens and closes its own connection


_COLUMNS = "user, sealed, since, cart_at, view_at, order_at, order_id, order_items"


def _customer(r: tuple) -> Customer:
    return Customer(user=r[0], sealed=bytes(r[1]), since=r[2], cart_at=r[3], view_at=r[4], order_at=r[5],
                    order_id=r[6], order_items=json.loads(r[7]))


def _get(db: sqlite3.Connection, user: str) -> Customer | None:
    r = db.execute(f"SELECT {_COLUMNS} FROM customers WHERE user = ?", (user,)).fetchone()
    return None if r is None else _customer(r)


def _forget(db: sqlite3.Connection, user: str) -> int:
    db.execute("DELETE FROM sends WHERE user = ?", (user,))
    return db.execute("DELETE FROM customers WHERE user = ?", (user,)).rowcount
