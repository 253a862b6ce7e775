"""The trigger state in the shared state store: the same interface as ``NotifyState`` (edge/notify/state.py).

``skylt:notify:customer:<user hash>`` holds a consenting customer's ``Customer`` (msgpack), listed in the set
``skylt:notify:customers``; ``skylt:notify:send:<key>`` a send's state, and ``skylt:notify:sends:<user hash>`` (a
sorted set by time) that customer's send keys, for the frequency cap, pruning and erasure. A batch's activity is
read under WATCH and written in one MULTI, retried when another replica changed the same customers meanwhile.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import msgspec
import redis

from edge.errors import SkyltError
from edge.notify.state import FAILED, INTENT, Activity, Consent, Customer, touched, trigger_of
from edge.shared.client import PREFIX, SharedState

CUSTOMER = PREFIX + "notify:customer:"
CUSTOMERS = PREFIX + "notify:customers"
SEND = PREFIX + "notify:send:"
SENDS = PREFIX + "notify:sends:"
MAX_RETRIES = 50
_encode = msgspec.msgpack.Encoder().encode
_decode = msgspec.msgpack.Decoder(Customer).decode


class SharedNotifyState:
    def __init__(self, state: SharedState) -> None:
        self.state = state

    def apply(self, consents: Iterable[Consent], activity: Iterable[Activity]) -> None:
        for c in consents:
            if c.sealed is None:
                self.forget(c.user)
                continue
            with self.state.call("notify consent") as r, r.pipeline(transaction=True) as pipe:
                for _ in range(MAX_RETRIES):
                    try:
                        pipe.watch(CUSTOMER + c.user)
                        raw = pipe.get(CUSTOMER + c.user)
                        row = _decode(raw) if isinstance(raw, bytes) else Customer(user=c.user, sealed=c.sealed,
                                                                                  since=c.ts)
                        row.sealed = c.sealed
                        pipe.multi()
                        pipe.set(CUSTOMER + c.user, _encode(row))
                        pipe.sadd(CUSTOMERS, c.user)
                        pipe.execute()
                        break
                    except redis.exceptions.WatchError:
                        continue
        changes = list(activity)
        users = list(dict.fromkeys(a.user for a in changes))
        if not users:
            return
        keys = [CUSTOMER + u for u in users]
        with self.state.call("notify activity") as r, r.pipeline(transaction=True) as pipe:
            for _ in range(MAX_RETRIES):
                try:
                    pipe.watch(*keys)
                    rows = {u: _decode(raw) for u, raw in zip(users, pipe.mget(keys), strict=True)
                            if isinstance(raw, bytes)}
                    for act in changes:
                        if act.user in rows:
                            touched(rows[act.user], act)
                    pipe.multi()
                    for u, row in rows.items():
                        pipe.set(CUSTOMER + u, _encode(row))
                    pipe.execute()
                    return
                except redis.exceptions.WatchError:
                    continue
        raise SkyltError(f"notify: a batch lost {MAX_RETRIES} races in a row for the same customers")

    def customers(self) -> Iterator[Customer]:
        with self.state.call("notify customers") as r:
            users = sorted(u.decode() for u in r.smembers(CUSTOMERS))
        for start in range(0, len(users), 500):
            chunk = users[start:start + 500]
            with self.state.call("notify customers") as r:
                found = r.mget([CUSTOMER + u for u in chunk])
            yield from (_decode(raw) for raw in found if isinstance(raw, bytes))

    def forget(self, user: str) -> int:
        with self.state.call("notify forget") as r:
            keys = [SEND + k.decode() for k in r.zrange(SENDS + user, 0, -1)]
            with r.pipeline(transaction=True) as pipe:
                pipe.delete(CUSTOMER + user)
                pipe.srem(CUSTOMERS, user)
                pipe.delete(SENDS + user, *keys)
                deleted = pipe.execute()[0]
        return 1 if deleted else 0

    def sends_since(self, user: str, since: float) -> int:
        with self.state.call("notify cap") as r:
            keys = r.zrangebyscore(SENDS + user, since, "+inf")
            states = r.mget([SEND + k.decode() for k in keys]) if keys else []
        return len({trigger_of(k.decode()) for k, s in zip(keys, states, strict=True)
                    if s is not None and s.decode() != FAILED})

    def status(self, key: str) -> str | None:
        with self.state.call("notify status") as r:
            value = r.get(SEND + key)
        return None if value is None else value.decode()

    def intend(self, key: str, user: str, now: float) -> None:
        with self.state.call("notify intent") as r:
            if r.set(SEND + key, INTENT, nx=True):
                r.zadd(SENDS + user, {key: now})

    def mark(self, key: str, state: str, now: float) -> None:
        with self.state.call("notify mark") as r:
            r.set(SEND + key, state, xx=True)
            user = key.split(":", 1)[0]  # keys start with the user hash (edge/notify/triggers.py)
            r.zadd(SENDS + user, {key: now}, xx=True)

    def prune(self, before: float) -> int:
        done = 0
        for row in list(self.customers()):
            with self.state.call("notify prune") as r:
                old = r.zrangebyscore(SENDS + row.user, "-inf", f"({before}")
                if old:
                    r.delete(*(SEND + k.decode() for k in old))
                    r.zrem(SENDS + row.user, *old)
                    done += len(old)
        return done

    def close(self) -> None:
        self.state.close()
