"""Profiles in a writable LMDB environment every worker shares (setting ``profile_dir``).

One record per known customer, keyed by the hashed user id (edge/profiles/salt.py), holding
only what the recommend request would otherwise carry: recent views, the cart, purchases.
Records are bounded, so a profile costs at most a few KB however long the customer stays.
LMDB serialises writers across processes and gives readers a consistent view without locks.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import lmdb
import msgspec

from edge.errors import SkyltError
from edge.profiles.salt import hash_id, load_salt

MAX_VIEWS = 50
MAX_CART = 50
MAX_PURCHASES = 50
MAP_SIZE = 1 << 32  # address space only; the file grows with what is written
_DB = b"profiles"


class Profile(msgspec.Struct, array_like=True):
    views: list[str] = msgspec.field(default_factory=list)       # most recent last, no repeats
    cart: list[str] = msgspec.field(default_factory=list)        # in the order added
    purchases: list[str] = msgspec.field(default_factory=list)   # most recent last, no repeats


_encode = msgspec.msgpack.Encoder().encode
_decode = msgspec.msgpack.Decoder(Profile).decode
decode_profile = _decode


def _push(items: list[str], item: str, limit: int) -> None:
    """Move (or add) ``item`` to the end, keeping the newest ``limit``."""
    if item in items:
        items.remove(item)
    items.append(item)
    del items[:-limit]


def apply(profile: Profile, kind: str, item: str) -> None:
    """What one stored event changes in a profile; other kinds change nothing."""
    if kind in ("view", "click"):
        _push(profile.views, item, MAX_VIEWS)
    elif kind == "cart":
        _push(profile.cart, item, MAX_CART)
    elif kind == "remove":
        if item in profile.cart:
            profile.cart.remove(item)
    elif kind == "purchase":
        _push(profile.purchases, item, MAX_PURCHASES)
        if item in profile.cart:
            profile.cart.remove(item)


class ProfileStore:
    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.salt = load_salt(self.path)
        try:
            self.env = lmdb.open(str(self.path / "lmdb"), map_size=MAP_SIZE, max_dbs=1, subdir=True, create=True)
            self._db = self.env.open_db(_DB)
        except (OSError, lmdb.Error) as exc:
            raise SkyltError(f"{self.path}: cannot open the profile store: {exc}") from exc

    def key(self, user: str) -> str:
        return hash_id(self.salt, user)

    def raw(self, user_hash: str) -> bytes | None:
        """The encoded record (one read transaction): the request path decodes it and hashes it
        into the ETag, so a changed profile changes the ETag."""
        with self.env.begin(db=self._db, buffers=False) as txn:
            return txn.get(user_hash.encode())

    def get(self, user_hash: str) -> Profile | None:
        raw = self.raw(user_hash)
        return _decode(raw) if raw is not None else None

    def update(self, changes: Iterable[tuple[str, str, str]]) -> int:
        """Apply (user hash, event type, item id) in order, in one write transaction; profiles touched."""
        touched: dict[str, Profile] = {}
        with self.env.begin(db=self._db, write=True) as txn:
            for user_hash, kind, item in changes:
                profile = touched.get(user_hash)
                if profile is None:
                    raw = txn.get(user_hash.encode())
                    profile = touched[user_hash] = _decode(raw) if raw is not None else Profile()
                apply(profile, kind, item)
            for user_hash, profile in touched.items():
                txn.put(user_hash.encode(), _encode(profile))
        return len(touched)

    def erase(self, user_hash: str) -> int:
        """1 if a profile was deleted, else 0."""
        with self.env.begin(db=self._db, write=True) as txn:
            return 1 if txn.delete(user_hash.encode()) else 0

    def count(self) -> int:
        with self.env.begin(db=self._db) as txn:
            return int(txn.stat(self._db)["entries"])

    def close(self) -> None:
        self.env.close()
