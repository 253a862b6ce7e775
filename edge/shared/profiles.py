"""Known-customer profiles in the shared state store: the same interface as ``ProfileStore``.

One string per profile, ``skylt:profile:<user hash>``, holding the record ProfileStore holds
(the request path reads it with one GET), set to expire ``ttl_days`` after its last update
(Redis deletes it then). A sorted set, ``skylt:profiles:by_time``, orders the user hashes by
last update: beyond ``max_profiles`` the least recently updated are evicted by the transaction
that adds one. A batch of updates reads the profiles it touches under WATCH and writes them in
one MULTI, retried if another replica changed one of them meanwhile: all or nothing. The id
salt is made once, by whichever replica comes first (SET NX), so every replica hashes alike; a
replica that had a local salt offers that one, so the ids its event log holds stay erasable.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import time
from collections.abc import Callable, Iterable

import msgspec
import redis

from edge.errors import SkyltError
from edge.profiles.salt import SALT_BYTES, hash_id
from edge.profiles.store import SWEEP_SECONDS, Profile, apply, decode_profile
from edge.shared.client import PREFIX, SharedState

log = logging.getLogger("skylt.profiles")

SALT_KEY = PREFIX + "salt"
PROFILE = PREFIX + "profile:"
BY_TIME = PREFIX + "profiles:by_time"
# Evicts the least recently updated beyond the cap, inside the batch's transaction.
_EVICT = """
local over = redis.call('ZCARD', KEYS[1]) - tonumber(ARGV[1])
if over <= 0 then return 0 end
local gone = redis.call('ZPOPMIN', KEYS[1], over)
for i = 1, #gone, 2 do redis.call('DEL', ARGV[2] .. gone[i]) end
return over
"""
_encode = msgspec.msgpack.Encoder().encode
MAX_RETRIES = 50  # of a batch whose profiles another replica changed meanwhile


class SharedProfileStore:
    def __init__(self, state: SharedState, *, ttl_days: float = 90.0, max_profiles: int = 1_000_000,
                 clock: Callable[[], float] = time.time, seed: bytes | None = None) -> None:
        self.state = state
        self._seed = seed
        self.ttl_ms = max(int(ttl_days * 86_400_000), 0)
        self.max_profiles = max(max_profiles, 1)
        self.clock = clock
        self._salt: bytes | None = None
        with contextlib.suppress(SkyltError):  # a store down at start-up: the first call that needs it fetches it
            self._load_salt()

    @property
    def salt(self) -> bytes:
        return self._salt if self._salt is not None else self._load_salt()

    def _load_salt(self) -> bytes:
        with self.state.call("salt") as r:
            r.set(SALT_KEY, self._seed or secrets.token_bytes(SALT_BYTES), nx=True)
            salt = r.get(SALT_KEY)
        if not isinstance(salt, bytes) or len(salt) != SALT_BYTES:
            raise SkyltError(f"the shared state store's id salt ({SALT_KEY}) is not {SALT_BYTES} bytes")
        self._salt = salt
        return salt

    def key(self, user: str) -> str:
        return hash_id(self.salt, user)

    def _now(self) -> int:
        return int(self.clock() * 1000)

    # -- reads ----------------------------------------------------------------------------------

    def raw(self, user_hash: str) -> bytes | None:
        """The encoded record, one GET; an expired profile is gone already."""
        with self.state.call("read") as r:
            value = r.get(PROFILE + user_hash)
        return value if isinstance(value, bytes) else None

    def get(self, user_hash: str) -> Profile | None:
        raw = self.raw(user_hash)
        return decode_profile(raw) if raw is not None else None

    def count(self) -> int:
        """Profiles stored, expired ones not yet swept from the index included."""
        with self.state.call("count") as r:
            return int(r.zcard(BY_TIME))

    def check_room(self) -> None:
        """Nothing to check ahead: a store at its ``maxmemory`` refuses the batch's transaction
        whole, which ``update`` raises as ``StorageFullError``."""

    # -- writes ---------------------------------------------------------------------------------

    def update(self, changes: Iterable[tuple[str, str, str]]) -> int:
        """Apply (user hash, event type, item id) in order, in one transaction; profiles touched."""
        changes = list(changes)
        users = list(dict.fromkeys(user for user, _, _ in changes))
        if not users:
            return 0
        keys = [PROFILE + user for user in users]
        with self.state.call("write") as r, r.pipeline(transaction=True) as pipe:
            for _ in range(MAX_RETRIES):
                try:
                    pipe.watch(*keys)
                    now = self._now()
                    touched = {user: decode_profile(raw) if isinstance(raw, bytes) else Profile()
                               for user, raw in zip(users, pipe.mget(keys), strict=True)}
                    for user, kind, item in changes:
                        apply(touched[user], kind, item)
                    pipe.multi()
                    for user, key in zip(users, keys, strict=True):
                        pipe.set(key, _encode(touched[user]), pxat=now + max(self.ttl_ms, 1))
                    pipe.zadd(BY_TIME, dict.fromkeys(users, now))
                    pipe.zremrangebyscore(BY_TIME, "-inf", f"({now - self.ttl_ms}")  # index of expired ones
                    pipe.eval(_EVICT, 1, BY_TIME, self.max_profiles, PROFILE)
                    pipe.execute()
                    return len(users)
                except redis.exceptions.WatchError:
                    continue
        raise SkyltError(f"profiles: a batch lost {MAX_RETRIES} races in a row for the same customers")

    def erase(self, user_hash: str) -> int:
        """1 if a profile was deleted, else 0."""
        with self.state.call("write") as r, r.pipeline(transaction=True) as pipe:
            pipe.delete(PROFILE + user_hash)
            pipe.zrem(BY_TIME, user_hash)
            deleted, _ = pipe.execute()
        return 1 if deleted else 0

    def sweep(self) -> int:
        """Drop the index entries of expired profiles (Redis deleted the profiles); how many."""
        with self.state.call("sweep") as r:
            return int(r.zremrangebyscore(BY_TIME, "-inf", f"({self._now() - self.ttl_ms}"))

    async def keep_swept(self, seconds: float = SWEEP_SECONDS) -> None:
        while True:
            try:
                removed = await asyncio.to_thread(self.sweep)
            except SkyltError:
                log.warning("profiles: the expiry sweep of the shared store failed; next try in %s s", seconds)
            else:
                if removed:
                    log.info("profiles: %d expired from the shared store", removed)
            await asyncio.sleep(seconds)

    def close(self) -> None:
        self.state.close()

