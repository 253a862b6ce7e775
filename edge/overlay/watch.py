"""Keeps one worker's overlay in step with the shared store and the served snapshot.

Every ``interval`` seconds (and at once after this worker wrote) the watcher reads the
store's generation, a few microseconds; only when it changed, or the snapshot was swapped,
does it reload the overrides off the event loop and swap in a new ``Served`` (the same
snapshot under the new overlay) between requests. A new snapshot gets its overlay while it
is being warmed, before it serves a request.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import msgspec
import numpy as np

from edge.errors import StateUnavailableError
from edge.overlay.prices import SharedPrices, price_file, prune, publish, use_shared
from edge.overlay.resolve import Overlay, resolve
from edge.overlay.schemas import Override
from edge.rules.compile import compile_rules
from edge.rules.schemas import Rule, rules_decoder
from edge.scoring.merchandise import Rules
from edge.serve.swap import SnapshotHolder
from edge.shared.factory import Overrides, open_local_overlay
from edge.slots.served import Served
from edge.store import Snapshot

log = logging.getLogger("skylt.overlay")


class OverlayWatcher:
    def __init__(self, path: str | Path, on_change: Callable[[Overlay], None] | None = None,
                 opener: Callable[[Path, bool], Overrides | None] = open_local_overlay) -> None:
        self.path = Path(path)  # the store (or only its price files, when the store is shared)
        self.store: Overrides | None = None
        self._opener = opener
        self._last: tuple[int, dict[str, Override]] | None = None  # the overrides last read
        self._last_rules: tuple[int, list[Rule]] = (0, [])  # the merchandising rules last read
        self._rules_cache: tuple[tuple[str, int, int], dict[str, Rules]] | None = None  # and last compiled
        self._on_change = on_change
        self._lock: asyncio.Lock | None = None  # made on the loop that serves
        self._pending: asyncio.Future[Served | None] | None = None
        self._shared: SharedPrices | None = None  # the price file last mapped

    def open(self, create: bool) -> None:
        """Open the store (edge/shared/factory.py): ``create`` when this server writes to it."""
        self.store = self._opener(self.path, create)

    def prepare(self, snap: Snapshot, stale_ok: bool = False) -> tuple[Overlay, np.ndarray | None] | None:
        """Resolve the stored overrides against ``snap`` (blocking; call off the loop). With ``stale_ok``
        a shared store that does not answer gives the overrides last read (none yet: no overlay), so
        that a new snapshot is still swapped in; the watcher applies the store's once it answers.
        Returns the overlay and the prices to serve (the shared price file's; None: the snapshot's)."""
        if self.store is None:
            return None
        try:
            generation, overrides = self._last = self.store.load()
            self._last_rules = self._read_rules(self.store)
        except StateUnavailableError:
            if not stale_ok:
                raise
            if self._last is None:
                log.warning("catalog overlay: the shared store does not answer; %s serves without it until it "
                            "does", snap.version)
                return None
            generation, overrides = self._last
        overlay = resolve(snap, overrides, generation)
        prices = None
        if overlay.priced_ids.size or price_file(self.path, snap).exists():
            # Also after the last price override went: the shared file then goes back to the build's prices.
            publish(self.path, snap, overlay.priced_ids, overlay.priced_values, generation)
            self._shared = use_shared(self.path, snap, self._shared)
            prices = self._shared.prices
        rules_generation, rules = self._last_rules
        if rules:  # after the prices: a price-range rule sees the overridden ones
            overlay = replace(overlay, rules=self._compiled(snap, overlay, rules_generation, rules, prices),
                              rules_generation=rules_generation, rule_count=len(rules))
        return overlay, prices

    def _next(self, served: Served, stale_ok: bool = False) -> Served | None:
        """``served`` under the store's overlay (blocking), None when there is none to apply."""
        found = self.prepare(served.snapshot, stale_ok)
        if found is None:
            return None
        overlay, prices = found
        return served.with_overlay(overlay, overlay.generation, prices)

    def serve_new(self, served: Served) -> Served:
        """For a snapshot that serves no request yet (called while it is warmed): ``served`` with
        the store's overlay."""
        applied = self._next(served, stale_ok=True)
        if applied is None:
            return served
        for gone in prune(self.path, served.snapshot):
            log.info("removed the price file of a deleted snapshot: %s", gone.name)
        if self._on_change is not None and applied.overlay is not None:
            self._on_change(applied.overlay)
        return applied

    def _compiled(self, snap: Snapshot, overlay: Overlay, generation: int, rules: list[Rule],
                  prices: np.ndarray | None) -> dict[str, Rules]:
        """The rules compiled for ``snap``, again only when they or the snapshot changed, or with price rules the
        overlay (prices change in place in the shared file): a stock update should not cost every worker a pass
        over the catalog per rule."""
        priced = any(getattr(r, "price_min", None) is not None or getattr(r, "price_max", None) is not None
                     for r in rules)
        key = (snap.version, generation, overlay.generation if priced else -1)
        if self._rules_cache is None or self._rules_cache[0] != key:
            self._rules_cache = (key, compile_rules(snap, rules, prices=prices))
        return self._rules_cache[1]

    def _read_rules(self, store: Overrides) -> tuple[int, list[Rule]]:
        generation, raw = store.rules()
        if generation == self._last_rules[0]:
            return self._last_rules
        try:
            return generation, rules_decoder.decode(raw)
        except msgspec.DecodeError:  # written by a newer server, say: this one serves without them
            log.exception("merchandising rules of generation %d cannot be read; serving without rules", generation)
            return generation, []

    async def refresh(self, holder: SnapshotHolder) -> bool:
        """Reload if the store or the served snapshot changed. A writer calls this too, so its
        own worker applies the change before it answers."""
        lock = self._lock = self._lock or asyncio.Lock()
        async with lock:  # one reload at a time: an older one never lands after a newer one
            return await self._refresh(holder)

    async def _refresh(self, holder: SnapshotHolder) -> bool:
        served = holder.served
        if served is None or self.store is None or served.generation == self.store.generation():
            return False
        # Shielded: a cancelled watcher must not leave a thread reading a store that is closing.
        self._pending = asyncio.ensure_future(asyncio.to_thread(self._next, served))
        applied = await asyncio.shield(self._pending)
        if applied is None or not holder.update(applied):
            return False  # swapped meanwhile: the new snapshot was resolved when it was warmed
        overlay = applied.overlay
        assert overlay is not None  # resolved just now
        if self._on_change is not None:
            self._on_change(overlay)
        log.info("catalog overlay generation %d: %d overrides, %d items hidden", overlay.generation,
                 overlay.overrides, overlay.blocked.size)
        return True

    async def watch(self, holder: SnapshotHolder, interval: float) -> None:
        while True:
            await asyncio.sleep(interval)
            try:
                await self.refresh(holder)
            except StateUnavailableError:
                pass  # logged once per outage (edge/shared/client.py); the last overlay stays
            except Exception:  # the watcher must outlive any one bad read
                log.exception("catalog overlay refresh failed")

    async def aclose(self) -> None:
        if self._pending is not None:
            with contextlib.suppress(Exception):
                await self._pending
        self.close()

    def close(self) -> None:
        self._shared = None
        if self.store is not None:
            self.store.close()
            self.store = None
