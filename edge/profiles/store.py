"""Profiles in a writable LMDB environment every worker shares (setting ``profile_dir``).

One record per known customer, keyed by the hashed user id (edge/profiles/salt.py), holding
only what the recommend request would otherwise carry: recent views, the cart, purchases.
Records are bounded, so a profile costs at most a few KB however long the customer stays.
LMDB serialises writers across processes and gives readers a consistent view without locks.

The store is bounded too. Beside the records (format unchanged), two sub-databases keep when
each profile was last updated: ``stamps`` (user hash -> time) and ``by_time`` (time + user hash),
the oldest first. A profile not updated for ``ttl_days`` is never served and is deleted: some
with every write, all by ``sweep`` (the workers run it periodically); beyond ``max_profiles``
the least recently updated are evicted by the write that adds one. A store made before the
stamps existed is stamped "now" when opened, so its profiles expire ``ttl_days`` later.
"""

from __future__ import annotations

import asyncio
import logging
import os
import struct
import time
from collections.abc import Callable, Iterable
from pathlib import Path

import lmdb
import msgspec

from edge.errors import SkyltError, StorageFullError
from edge.private import DIR_MODE, private_dir, private_files
from edge.profiles.salt import hash_id, load_salt

log = logging.getLogger("skylt.profiles")

MAX_VIEWS = 50
MAX_CART = 50
MAX_PURCHASES = 50
MAP_SIZE = 1 << 32  # address space only; the file grows with what is written
# The most a profile takes with its index entries (150 ids of 128 characters): the map is sized so that
# ``max_profiles`` full profiles fit before the store reports itself full.
PROFILE_BYTES_MAX = 24 << 10
# Expired profiles deleted per write transaction: a sweep never holds the writer lock for long.
SWEEP_BATCH = 1000
SWEEP_SECONDS = 600.0  # how often each worker sweeps expired profiles
_DB = b"profiles"
_STAMPS = b"stamps"     # user hash -> last update, milliseconds, 8 bytes big-endian
_BY_TIME = b"by_time"   # last update + user hash -> b"": byte order is time order
_stamp = struct.Struct(">Q")


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
    """What one stored event changes in a profile; other kinds change nothing.

    Applying the same events twice leaves a profile as applying them once (ingest relies on it)."""
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
    def __init__(self, path: str | os.PathLike[str], *, ttl_days: float = 90.0, max_profiles: int = 1_000_000,
                 map_size: int | None = None, room: int | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self.path = Path(path)
        if map_size is None:
            map_size = max(MAP_SIZE, max_profiles * PROFILE_BYTES_MAX * 9 // 8)
        self.ttl_ms = max(int(ttl_days * 86_400_000), 0)
        self.max_profiles = max(max_profiles, 1)
        # A write may need map pages beyond the live ones: copy-on-write paths, pages freed too
        # recently to reuse, contiguous runs for a large record. Below this much room: full.
        self.room = map_size // 8 if room is None else room
        self.clock = clock
        try:
            private_dir(self.path)
            self.salt = load_salt(self.path)
            # ``mode`` makes the directory 0700 and the data and lock files 0600 (lmdb drops the x bits).
            self.env = lmdb.open(str(self.path / "lmdb"), map_size=map_size, max_dbs=3, subdir=True, create=True,
                                 mode=DIR_MODE)
            private_dir(self.path / "lmdb")
            private_files(self.path / "lmdb")  # made world-readable by an older Skylt
            self._db = self.env.open_db(_DB)
            self._stamps = self.env.open_db(_STAMPS)
            self._by_time = self.env.open_db(_BY_TIME)
            self._stamp_legacy()
        except (OSError, lmdb.Error) as exc:
            raise SkyltError(f"{self.path}: cannot open the profile store: {exc}") from exc

    def key(self, user: str) -> str:
        return hash_id(self.salt, user)

    def _now(self) -> int:
        return int(self.clock() * 1000)

    def _expired(self, stamp: bytes, now: int) -> bool:
        return _stamp.unpack(stamp)[0] < now - self.ttl_ms

    # -- reads ----------------------------------------------------------------------------------

    def raw(self, user_hash: str) -> bytes | None:
        """The encoded record (one read transaction): the request path decodes it and hashes it
        into the ETag, so a changed profile changes the ETag. An expired profile is None."""
        key = user_hash.encode()
        now = self._now()
        with self.env.begin(buffers=False) as txn:
            stamp = _get(txn, key, self._stamps)
            if stamp is None or self._expired(stamp, now):
                return None
            return _get(txn, key, self._db)

    def get(self, user_hash: str) -> Profile | None:
        raw = self.raw(user_hash)
        return _decode(raw) if raw is not None else None

    def count(self) -> int:
        """Profiles stored, expired ones not yet swept included."""
        with self.env.begin(db=self._db) as txn:
            return int(txn.stat(self._db)["entries"])

    def check_room(self) -> None:
        """Raise ``StorageFullError`` when the map is too near full for a write to be sure to fit;
        callers check before they store or acknowledge anything."""
        with self.env.begin() as txn:
            pages = sum(s["branch_pages"] + s["leaf_pages"] + s["overflow_pages"]
                        for s in (txn.stat(self._db), txn.stat(self._stamps), txn.stat(self._by_time)))
        main = self.env.stat()
        used = (pages + main["branch_pages"] + main["leaf_pages"] + main["overflow_pages"] + 2) * main["psize"]
        size = self.env.info()["map_size"]
        if used + self.room > size:
            raise StorageFullError(f"the profile store is full ({used} of {size} bytes in use); retry later")

    # -- writes ---------------------------------------------------------------------------------

    def update(self, changes: Iterable[tuple[str, str, str]]) -> int:
        """Apply (user hash, event type, item id) in order, in one write transaction; profiles touched.

        All or nothing: a store that cannot take the changes raises ``StorageFullError`` and keeps
        what it had. An expired profile starts over empty."""
        now = self._now()
        touched: dict[str, Profile] = {}
        with self._writing() as txn:
            for user_hash, kind, item in changes:
                profile = touched.get(user_hash)
                if profile is None:
                    key = user_hash.encode()
                    stamp = _get(txn, key, self._stamps)
                    raw = _get(txn, key, self._db) if stamp is not None and not self._expired(stamp, now) else None
                    profile = touched[user_hash] = _decode(raw) if raw is not None else Profile()
                apply(profile, kind, item)
            for user_hash, profile in touched.items():
                key = user_hash.encode()
                txn.put(key, _encode(profile), db=self._db)
                self._stamp(txn, key, now)
            self._expire(txn, now, SWEEP_BATCH)
            self._evict(txn)
        return len(touched)

    def erase(self, user_hash: str) -> int:
        """1 if a profile was deleted, else 0."""
        with self._writing() as txn:
            return 1 if self._drop(txn, user_hash.encode()) else 0

    def sweep(self) -> int:
        """Delete every expired profile, ``SWEEP_BATCH`` per write transaction; how many."""
        total = 0
        while True:
            with self._writing() as txn:
                done = self._expire(txn, self._now(), SWEEP_BATCH)
            total += done
            if done < SWEEP_BATCH:
                return total

    async def keep_swept(self, seconds: float = SWEEP_SECONDS) -> None:
        """Sweep every ``seconds`` until cancelled (a task of each worker's lifespan)."""
        while True:
            job = asyncio.ensure_future(asyncio.to_thread(self.sweep))
            try:
                removed = await asyncio.shield(job)
            except asyncio.CancelledError:
                await job  # the store must not close under the sweeping thread
                raise
            except SkyltError:
                log.exception("profiles: the expiry sweep failed; next try in %s s", seconds)
            else:
                if removed:
                    log.info("profiles: deleted %d not updated for %s days", removed, self.ttl_ms / 86_400_000)
            await asyncio.sleep(seconds)

    def close(self) -> None:
        self.env.close()

    # -- inside a write transaction -------------------------------------------------------------

    def _writing(self) -> _Writing:
        return _Writing(self.env)

    def _stamp(self, txn: lmdb.Transaction, key: bytes, now: int) -> None:
        old = _get(txn, key, self._stamps)
        if old is not None:
            txn.delete(old + key, db=self._by_time)
        stamp = _stamp.pack(now)
        txn.put(key, stamp, db=self._stamps)
        txn.put(stamp + key, b"", db=self._by_time)

    def _drop(self, txn: lmdb.Transaction, key: bytes) -> bool:
        old = _get(txn, key, self._stamps)
        if old is not None:
            txn.delete(old + key, db=self._by_time)
            txn.delete(key, db=self._stamps)
        return bool(txn.delete(key, db=self._db))

    def _drop_oldest(self, txn: lmdb.Transaction, before: bytes | None, limit: int) -> int:
        """Delete up to ``limit`` of the least recently updated (only those stamped before ``before``)."""
        cursor = txn.cursor(self._by_time)
        done = 0
        while done < limit and cursor.first():
            entry = bytes(cursor.key())
            if before is not None and entry[:_stamp.size] >= before:
                break
            cursor.delete()
            key = entry[_stamp.size:]
            txn.delete(key, db=self._stamps)
            txn.delete(key, db=self._db)
            done += 1
        return done

    def _expire(self, txn: lmdb.Transaction, now: int, limit: int) -> int:
        return self._drop_oldest(txn, _stamp.pack(max(now - self.ttl_ms, 0)), limit)

    def _evict(self, txn: lmdb.Transaction) -> int:
        over = int(txn.stat(self._db)["entries"]) - self.max_profiles
        return self._drop_oldest(txn, None, over) if over > 0 else 0

    def _stamp_legacy(self) -> None:
        """Stamp "now" every profile without a stamp (written before expiry existed), in batches."""
        now, after = self._now(), b""
        while True:
            with self._writing() as txn:
                if txn.stat(self._stamps)["entries"] >= txn.stat(self._db)["entries"]:
                    return
                cursor = txn.cursor(self._db)
                found = cursor.set_range(after) if after else cursor.first()
                batch: list[bytes] = []
                while found and len(batch) < SWEEP_BATCH:
                    batch.append(bytes(cursor.key()))
                    found = cursor.next()
                for key in batch:
                    if _get(txn, key, self._stamps) is None:
                        self._stamp(txn, key, now)
                if not found:
                    return
                after = batch[-1] + b"\0"  # the least key after the last one done


def _get(txn: lmdb.Transaction, key: bytes, db: lmdb._Database) -> bytes | None:
    value = txn.get(key, db=db)
    return None if value is None else bytes(value)  # bytes already (buffers=False): no copy


class _Writing:
    """A write transaction whose lmdb errors leave as ours: a full map or disk as ``StorageFullError``
    (nothing of the transaction is kept), anything else as ``SkyltError``."""

    def __init__(self, env: lmdb.Environment) -> None:
        try:
            self._txn = env.begin(write=True, buffers=False)
        except lmdb.Error as exc:
            raise SkyltError(f"the profile store cannot be written: {exc}") from exc

    def __enter__(self) -> lmdb.Transaction:
        return self._txn

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: object) -> None:
        if kind is not None:
            self._txn.abort()
        else:
            try:
                self._txn.commit()
            except lmdb.Error as error:
                exc = error
        if isinstance(exc, lmdb.MapFullError | lmdb.DiskError):
            raise StorageFullError("the profile store is full; retry later") from exc
        if isinstance(exc, lmdb.Error):
            raise SkyltError(f"the profile store cannot be written: {exc}") from exc
