"""What the webhook receiver remembers between deliveries, in one SQLite file every worker shares.

- deliveries: webhook ids being applied or applied, so Shopify's retries are acknowledged and not applied
  twice. An id is marked done only once its delivery was applied; a claim still in progress after
  ``CLAIM_TIMEOUT`` seconds belongs to a worker that died mid-way, and Shopify's next retry takes it over;
- variants and levels: inventory item -> product, learned from product payloads, so an
  ``inventory_levels/update`` (which names only the inventory item and location) can set a product's stock;
- orders: order ids whose purchases were logged (or are being logged: ``logged`` 0), with the hashed customer
  id, for the privacy webhooks and so that an order delivered twice is logged once;
- shops: when a shop uninstalled the app.

SQLite serialises writers across processes; each call opens its own short connection (the calls run in
worker threads) and commits before it returns. The file (and its -wal and -shm, which SQLite makes with the
same mode) is 0600 in a 0700 directory: it holds hashed customer ids.
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from edge.errors import SkyltError
from edge.private import private_sqlite, sqlite_transaction

FILE = "webhooks.sqlite3"
# Shopify retries a failed delivery for up to 48 hours; ids are kept well beyond that.
DELIVERY_DAYS = 14
# A claim not marked done after this long was left by a worker that stopped mid-way (Shopify gives up
# waiting for an answer after 5 seconds and retries later; an erasure of a large log may take minutes).
CLAIM_TIMEOUT = 300.0
Claim = Literal["claimed", "done", "busy"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS deliveries (id TEXT PRIMARY KEY, topic TEXT, shop TEXT, at REAL NOT NULL,
                                       done INTEGER NOT NULL DEFAULT 1);
CREATE TABLE IF NOT EXISTS products (shop TEXT, product_id TEXT, active INTEGER NOT NULL,
                                     PRIMARY KEY (shop, product_id));
CREATE TABLE IF NOT EXISTS variants (shop TEXT, inventory_item_id TEXT, product_id TEXT NOT NULL,
                                     variant_id TEXT, tracked INTEGER NOT NULL, sells_unstocked INTEGER NOT NULL,
                                     quantity INTEGER NOT NULL, PRIMARY KEY (shop, inventory_item_id));
CREATE TABLE IF NOT EXISTS levels (shop TEXT, inventory_item_id TEXT, location_id TEXT, available INTEGER NOT NULL,
                                   PRIMARY KEY (shop, inventory_item_id, location_id));
CREATE TABLE IF NOT EXISTS orders (shop TEXT, order_id TEXT, customer_id TEXT, logged INTEGER NOT NULL DEFAULT 1,
                                   PRIMARY KEY (shop, order_id));
CREATE TABLE IF NOT EXISTS shops (shop TEXT PRIMARY KEY, uninstalled_at REAL);
"""


@dataclass(frozen=True)
class Variant:
    inventory_item_id: str
    variant_id: str
    tracked: bool            # Shopify counts its stock
    sells_unstocked: bool    # inventory policy "continue": sold when out of stock
    quantity: int


class WebhookState:
    def __init__(self, directory: str | Path) -> None:
        self.path = Path(directory) / FILE
        try:
            private_sqlite(self.path)
            with self._db() as db:
                db.execute("PRAGMA journal_mode=WAL")
                db.executescript(_SCHEMA)
                if "done" not in {row[1] for row in db.execute("PRAGMA table_info(deliveries)")}:
                    # Ids of an older Skylt were claimed and released on failure: take them as done.
                    db.execute("ALTER TABLE deliveries ADD COLUMN done INTEGER NOT NULL DEFAULT 1")
                if "logged" not in {row[1] for row in db.execute("PRAGMA table_info(orders)")}:
                    db.execute("ALTER TABLE orders ADD COLUMN logged INTEGER NOT NULL DEFAULT 1")
        except (OSError, sqlite3.Error) as exc:
            raise SkyltError(f"{self.path}: cannot open the Shopify webhook state: {exc}") from exc

    def _db(self) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        return sqlite_transaction(self.path)

    # -- deliveries ---------------------------------------------------------------------------

    def claim(self, webhook_id: str, topic: str, shop: str, now: float | None = None) -> Claim:
        """"claimed": apply this delivery, then call ``done`` (or ``release`` if it failed); "done": a
        retry of one applied already; "busy": another request is applying it right now.

        A claim older than ``CLAIM_TIMEOUT`` and still not done is taken over."""
        now = time.time() if now is None else now
        with self._db() as db:
            db.execute("DELETE FROM deliveries WHERE at < ?", (now - DELIVERY_DAYS * 86400,))
            cur = db.execute("INSERT INTO deliveries VALUES (?, ?, ?, ?, 0) ON CONFLICT (id) DO UPDATE SET "
                             "at = excluded.at WHERE done = 0 AND at < ?",
                             (webhook_id, topic, shop, now, now - CLAIM_TIMEOUT))
            if cur.rowcount == 1:
                return "claimed"
            row = db.execute("SELECT done FROM deliveries WHERE id = ?", (webhook_id,)).fetchone()
            return "done" if row and row[0] else "busy"

    def done(self, webhook_id: str, now: float | None = None) -> None:
        """The claimed delivery was applied: its retries change nothing from now on."""
        with self._db() as db:
            db.execute("UPDATE deliveries SET done = 1, at = ? WHERE id = ?",
                       (time.time() if now is None else now, webhook_id))

    def release(self, webhook_id: str) -> None:
        """Forget a delivery whose handling failed, so Shopify's retry is applied."""
        with self._db() as db:
            db.execute("DELETE FROM deliveries WHERE id = ? AND done = 0", (webhook_id,))

    # -- catalog ------------------------------------------------------------------------------

    def save_product(self, shop: str, product_id: str, active: bool, variants: Iterable[Variant]) -> None:
        """A product payload's variants replace the ones known; its totals replace per-location levels."""
        with self._db() as db:
            db.execute("INSERT OR REPLACE INTO products VALUES (?, ?, ?)", (shop, product_id, int(active)))
            old = [r[0] for r in db.execute(
                "SELECT inventory_item_id FROM variants WHERE shop = ? AND product_id = ?", (shop, product_id))]
            db.executemany("DELETE FROM levels WHERE shop = ? AND inventory_item_id = ?", [(shop, i) for i in old])
            db.execute("DELETE FROM variants WHERE shop = ? AND product_id = ?", (shop, product_id))
            db.executemany("INSERT OR REPLACE INTO variants VALUES (?, ?, ?, ?, ?, ?, ?)",
                           [(shop, v.inventory_item_id, product_id, v.variant_id, int(v.tracked),
                             int(v.sells_unstocked), v.quantity) for v in variants])

    def forget_product(self, shop: str, product_id: str) -> None:
        with self._db() as db:
            db.execute("DELETE FROM levels WHERE shop = ? AND inventory_item_id IN (SELECT inventory_item_id "
                       "FROM variants WHERE shop = ? AND product_id = ?)", (shop, shop, product_id))
            db.execute("DELETE FROM variants WHERE shop = ? AND product_id = ?", (shop, product_id))
            db.execute("DELETE FROM products WHERE shop = ? AND product_id = ?", (shop, product_id))

    def set_level(self, shop: str, inventory_item_id: str, location_id: str,
                  available: int) -> tuple[str, bool, bool] | None:
        """Record one location's stock: (product id, product active, product in stock), or None for an
        inventory item no product payload has named yet.

        A variant's quantity is the sum of the location levels heard since its last product payload; with
        one location (most shops) that is exact, with several it counts only locations that reported."""
        with self._db() as db:
            row = db.execute("SELECT product_id FROM variants WHERE shop = ? AND inventory_item_id = ?",
                             (shop, inventory_item_id)).fetchone()
            if row is None:
                return None
            product_id = row[0]
            db.execute("INSERT OR REPLACE INTO levels VALUES (?, ?, ?, ?)",
                       (shop, inventory_item_id, location_id, available))
            db.execute("UPDATE variants SET quantity = (SELECT SUM(available) FROM levels WHERE shop = ? AND "
                       "inventory_item_id = ?) WHERE shop = ? AND inventory_item_id = ?",
                       (shop, inventory_item_id, shop, inventory_item_id))
            active = db.execute("SELECT active FROM products WHERE shop = ? AND product_id = ?",
                                (shop, product_id)).fetchone()
            sellable = db.execute(
                "SELECT COUNT(*) FROM variants WHERE shop = ? AND product_id = ? AND "
                "(tracked = 0 OR sells_unstocked = 1 OR quantity > 0)", (shop, product_id)).fetchone()[0]
            return product_id, bool(active and active[0]), sellable > 0

    # -- orders and customers -----------------------------------------------------------------

    def remember_order(self, shop: str, order_id: str, customer_id: str | None) -> bool:
        """False when the order was logged before (it is not logged twice). True for a new order, and for
        one whose logging never finished (a worker stopped mid-way): call ``order_logged`` once it is."""
        with self._db() as db:
            cur = db.execute("INSERT INTO orders VALUES (?, ?, ?, 0) ON CONFLICT (shop, order_id) DO UPDATE SET "
                             "customer_id = excluded.customer_id WHERE logged = 0", (shop, order_id, customer_id))
            return cur.rowcount == 1

    def order_logged(self, shop: str, order_id: str) -> None:
        with self._db() as db:
            db.execute("UPDATE orders SET logged = 1 WHERE shop = ? AND order_id = ?", (shop, order_id))

    def customer_orders(self, shop: str, customer_id: str) -> list[str]:
        with self._db() as db:
            return [r[0] for r in db.execute("SELECT order_id FROM orders WHERE shop = ? AND customer_id = ?",
                                             (shop, customer_id))]

    def shop_people(self, shop: str) -> tuple[set[str], set[str]]:
        """(order ids, customer ids) logged for ``shop``."""
        with self._db() as db:
            rows = db.execute("SELECT order_id, customer_id FROM orders WHERE shop = ?", (shop,)).fetchall()
        return {r[0] for r in rows}, {r[1] for r in rows if r[1]}

    def forget_customer(self, customer_id: str) -> int:
        """Every shop's order rows of one (hashed) customer id: DELETE /v1/users/{id}; rows deleted."""
        with self._db() as db:
            return db.execute("DELETE FROM orders WHERE customer_id = ?", (customer_id,)).rowcount

    def forget_orders(self, shop: str, order_ids: Iterable[str]) -> None:
        with self._db() as db:
            db.executemany("DELETE FROM orders WHERE shop = ? AND order_id = ?", [(shop, o) for o in order_ids])

    # -- installs -----------------------------------------------------------------------------

    def uninstalled(self, shop: str, when: float) -> None:
        with self._db() as db:
            db.execute("INSERT OR REPLACE INTO shops VALUES (?, ?)", (shop, when))

    def uninstalled_at(self, shop: str) -> float | None:
        with self._db() as db:
            row = db.execute("SELECT uninstalled_at FROM shops WHERE shop = ?", (shop,)).fetchone()
        return None if row is None else row[0]

    def installed(self, shop: str) -> None:
        """Shopify only delivers to installed apps: any other topic after an uninstall means a reinstall."""
        with self._db() as db:
            db.execute("DELETE FROM shops WHERE shop = ?", (shop,))

    def forget_shop(self, shop: str) -> None:
        """``shop/redact``: everything held about the shop."""
        with self._db() as db:
            for table in ("products", "variants", "levels", "orders", "shops", "deliveries"):
                db.execute(f"DELETE FROM {table} WHERE shop = ?", (shop,))  # fixed names, never input
