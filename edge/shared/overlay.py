"""The catalog overlay in the shared state store: the same interface as ``OverlayStore``.

A hash, ``skylt:overlay:items`` (item id -> encoded override), and a counter,
``skylt:overlay:generation``, bumped in the same transaction as every change. Each worker of
each replica polls the counter (one GET every ``overlay_poll_seconds``) and reloads the hash
only when it moved, so a stock change written through one replica is served by all within a
poll. A store that does not answer leaves every worker on the overlay it has.
"""

from __future__ import annotations

import time
from typing import Any

import redis

from edge.errors import SkyltError
from edge.overlay.schemas import ItemUpdate, Override, override_decoder, override_encoder
from edge.shared.client import PREFIX, SharedState

ITEMS = PREFIX + "overlay:items"
GENERATION = PREFIX + "overlay:generation"
RULES = PREFIX + "overlay:rules"  # the merchandising rule set, a JSON list
RULES_GENERATION = PREFIX + "overlay:rules_generation"
# The first bump after the store started empty (restarted without persistence, flushed) starts from
# the time in milliseconds, so that a generation never repeats one that workers already applied.
_BUMP = """
if redis.call('EXISTS', KEYS[1]) == 0 then redis.call('SET', KEYS[1], ARGV[1]) end
return redis.call('INCR', KEYS[1])
"""
# A new rule set: the generation bumped as above, the set and its generation written in the same script.
_PUT_RULES = """
if redis.call('EXISTS', KEYS[1]) == 0 then redis.call('SET', KEYS[1], ARGV[1]) end
local generation = redis.call('INCR', KEYS[1])
redis.call('SET', KEYS[2], ARGV[2])
redis.call('SET', KEYS[3], generation)
return generation
"""
MAX_RETRIES = 50  # of an upsert whose items another writer changed meanwhile


class SharedOverlayStore:
    def __init__(self, state: SharedState) -> None:
        self.state = state

    def generation(self) -> int:
        with self.state.call("overlay") as r:
            return int(r.get(GENERATION) or 0)

    def load(self) -> tuple[int, dict[str, Override]]:
        """The generation and every override, from one transaction (a consistent view)."""
        with self.state.call("overlay") as r, r.pipeline(transaction=True) as pipe:
            pipe.get(GENERATION)
            pipe.hgetall(ITEMS)
            generation, items = pipe.execute()
        return int(generation or 0), {key.decode(): override_decoder.decode(value) for key, value in items.items()}

    def upsert(self, updates: list[ItemUpdate]) -> int:
        """Merge ``updates`` (in order) into the stored overrides; the new generation."""
        ids = list(dict.fromkeys(update.id for update in updates))
        with self.state.call("catalog") as r, r.pipeline(transaction=True) as pipe:
            for _ in range(MAX_RETRIES):
                try:
                    pipe.watch(ITEMS)
                    current = {i: override_decoder.decode(raw) if raw is not None else Override()
                               for i, raw in zip(ids, pipe.hmget(ITEMS, ids), strict=True)}
                    for update in updates:
                        current[update.id] = current[update.id].merged(update)
                    pipe.multi()
                    pipe.hset(ITEMS, mapping={i: override_encoder.encode(o) for i, o in current.items()})
                    _bump(pipe)
                    return int(pipe.execute()[-1])
                except redis.exceptions.WatchError:
                    continue
        raise SkyltError(f"catalog overlay: an update lost {MAX_RETRIES} races in a row")

    def delete(self, item_id: str) -> int:
        # A tombstone, not a removal: the snapshot still holds the item until the next build.
        with self.state.call("catalog") as r, r.pipeline(transaction=True) as pipe:
            pipe.hset(ITEMS, item_id, override_encoder.encode(Override(deleted=True)))
            _bump(pipe)
            return int(pipe.execute()[-1])

    def clear(self) -> int:
        """Drop every override (after a build that holds the updated catalog)."""
        with self.state.call("catalog") as r, r.pipeline(transaction=True) as pipe:
            pipe.delete(ITEMS)
            _bump(pipe)
            return int(pipe.execute()[-1])

    def rules(self) -> tuple[int, bytes]:
        """The stored rule set (a JSON list) and the generation that wrote it; (0, b"[]") before any."""
        with self.state.call("overlay") as r, r.pipeline(transaction=True) as pipe:
            pipe.get(RULES_GENERATION)
            pipe.get(RULES)
            generation, raw = pipe.execute()
        return int(generation or 0), bytes(raw or b"[]")

    def put_rules(self, encoded: bytes) -> int:
        with self.state.call("rules") as r:
            return int(r.eval(_PUT_RULES, 3, GENERATION, RULES, RULES_GENERATION, int(time.time() * 1000), encoded))

    def close(self) -> None:
        self.state.close()


def _bump(pipe: Any) -> None:
    pipe.eval(_BUMP, 1, GENERATION, int(time.time() * 1000))
