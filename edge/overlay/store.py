"""The overlay's storage: one small writable LMDB environment shared by every worker.

LMDB serialises writers across processes with its lock file and gives each reader a
consistent view, so workers need no coordination of their own. A generation counter,
bumped in the same transaction as every change, tells readers when to reload.
"""

from __future__ import annotations

import os
from pathlib import Path

import lmdb

from edge.errors import SkyltError
from edge.overlay.schemas import ItemUpdate, Override, override_decoder, override_encoder

ITEMS_DB = b"items"
GENERATION_KEY = b"generation"
# The merchandising rule set (edge/rules/): one JSON list, replaced whole, and the generation that wrote it.
RULES_KEY = b"rules"
RULES_GENERATION_KEY = b"rules_generation"
# Virtual address space only: the file grows with what is written.
MAP_SIZE = 1 << 32


class OverlayStore:
    def __init__(self, path: str | os.PathLike[str], create: bool = True) -> None:
        self.path = Path(path)
        try:
            if create:
                self.path.mkdir(parents=True, exist_ok=True)
            self.env = lmdb.open(str(self.path), map_size=MAP_SIZE, max_dbs=2, subdir=True, create=create)
            self._items = self.env.open_db(ITEMS_DB)
        except (OSError, lmdb.Error) as exc:
            raise SkyltError(f"{self.path}: cannot open the catalog overlay: {exc}") from exc

    def generation(self) -> int:
        with self.env.begin() as txn:
            return _generation(txn)

    def load(self) -> tuple[int, dict[str, Override]]:
        """The generation and every override, from one consistent read."""
        with self.env.begin() as txn:
            items = {key.decode(): override_decoder.decode(value)
                     for key, value in txn.cursor(db=self._items).iternext()}
            return _generation(txn), items

    def upsert(self, updates: list[ItemUpdate]) -> int:
        """Merge ``updates`` (in order) into the stored overrides; the new generation."""
        with self.env.begin(write=True) as txn:
            for update in updates:
                key = update.id.encode()
                raw = txn.get(key, db=self._items)
                current = override_decoder.decode(raw) if raw is not None else Override()
                txn.put(key, override_encoder.encode(current.merged(update)), db=self._items)
            return _bump(txn)

    def delete(self, item_id: str) -> int:
        with self.env.begin(write=True) as txn:
            # A tombstone, not a removal: the snapshot still holds the item until the next build.
            txn.put(item_id.encode(), override_encoder.encode(Override(deleted=True)), db=self._items)
            return _bump(txn)

    def clear(self) -> int:
        """Drop every override (after a build that holds the updated catalog)."""
        with self.env.begin(write=True) as txn:
            txn.drop(self._items, delete=False)
            return _bump(txn)

    def rules(self) -> tuple[int, bytes]:
        """The stored rule set (a JSON list) and the generation that wrote it; (0, b"[]") before any."""
        with self.env.begin() as txn:
            raw = txn.get(RULES_GENERATION_KEY)
            return (0 if raw is None else int.from_bytes(raw, "little")), bytes(txn.get(RULES_KEY) or b"[]")

    def put_rules(self, encoded: bytes) -> int:
        """Replace the rule set; the new generation (shared with the overrides: every worker reloads, and
        ETags and cached answers move with it)."""
        with self.env.begin(write=True) as txn:
            generation = _bump(txn)
            txn.put(RULES_KEY, encoded)
            txn.put(RULES_GENERATION_KEY, generation.to_bytes(8, "little"))
            return generation

    def close(self) -> None:
        self.env.close()


def _generation(txn: lmdb.Transaction) -> int:
    raw = txn.get(GENERATION_KEY)
    return 0 if raw is None else int.from_bytes(raw, "little")


def _bump(txn: lmdb.Transaction) -> int:
    generation = _generation(txn) + 1
    txn.put(GENERATION_KEY, generation.to_bytes(8, "little"))
    return generation
