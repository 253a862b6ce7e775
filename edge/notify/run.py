"""One `skylt notify` run: every consenting customer's due triggers, sent once to every destination.

Per trigger and destination: skipped if sent (or refused for good) before; else an intent is recorded (on disk)
before the send and marked after it. A run killed between the two leaves the intent, and the next run sends the
same message again under the same id, which Klaviyo (``unique_id``) and a webhook receiver (``id``) keep once:
at least once on the wire, once in the receiver. New triggers respect quiet hours and the frequency cap; resends
of an intent do not wait for them (the message was already on its way).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

import msgspec

from edge.config import Settings
from edge.events.schemas import StoredImpression
from edge.events.segments import IMPRESSIONS, segment_name
from edge.fsync import fsync_dir, write_all
from edge.notify.deliver import Outcome
from edge.notify.ids import unseal_id
from edge.notify.payload import METRICS, PAGE_PREFIX, Message, items_for, request_id
from edge.notify.state import FAILED, INTENT, SENT, NotifyStore
from edge.notify.triggers import HOUR, QuietHours, Trigger, due_triggers
from edge.private import FILE_MODE, private_dir
from edge.profiles.store import Profile
from edge.slots.served import Served

_line = msgspec.json.Encoder()


class Destination(Protocol):
    name: str

    def send(self, msg: Message) -> Outcome: ...


class Result(msgspec.Struct, kw_only=True):
    """One trigger in the run's report (and in `--dry-run --json`)."""

    trigger: str
    due: str
    destinations: dict[str, str]  # name -> sent, would send, failed: ..., retry: ...
    message: Message


class Summary(msgspec.Struct, kw_only=True):
    due: int = 0
    sent: int = 0
    failed: int = 0
    retry: int = 0
    capped: int = 0
    empty: int = 0
    quiet: bool = False
    dry_run: bool = False
    results: list[Result] = msgspec.field(default_factory=list)


@dataclass
class Impressions:
    """The messages' renders as impressions (page ``email:<kind>``), one segment per run, for `skylt report`."""

    directory: Path
    now: float
    _fd: int | None = field(default=None, init=False)

    def write(self, msg: Message) -> None:
        slots: dict[str, list[str]] = {}
        for item in msg.items:
            slots.setdefault(item.slot, []).append(item.id)
        data = b"".join(_line.encode(StoredImpression(ts=int(self.now), type="impression", request_id=msg.request_id,
                                                      slot=slot, page=PAGE_PREFIX + msg.kind, items=ids)) + b"\n"
                        for slot, ids in slots.items())
        if self._fd is None:
            private_dir(self.directory)
            path = self.directory / segment_name(self.now, os.getpid(), 1, IMPRESSIONS)
            self._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND, FILE_MODE)
            fsync_dir(self.directory)
        write_all(self._fd, data)
        os.fsync(self._fd)

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def message(t: Trigger, customer_id: str, served: Served, settings: Settings) -> Message:
    rid = request_id(t.key)
    return Message(id=f"skylt-{rid}", kind=t.kind, metric=METRICS[t.kind], customer_id=customer_id, request_id=rid,
                   time=_iso(t.due), items=items_for(served, settings, t.kind, t.context, t.purchased, rid))


def run(settings: Settings, store: NotifyStore, profile_of: Callable[[str], Profile | None], served: Served,
        destinations: Iterable[Destination], now: float, *, dry_run: bool = False,
        impressions: Impressions | None = None) -> Summary:
    dests = list(destinations)
    summary = Summary(dry_run=dry_run, quiet=QuietHours.of(settings).quiet(now))
    window = now - settings.notify_cap_hours * HOUR
    for customer in store.customers():
        counted = 0 if not dry_run else store.sends_since(customer.user, window)
        for t in due_triggers(customer, profile_of(customer.user), now, settings):
            summary.due += 1
            keys = {d.name: f"{t.key}:{d.name}" for d in dests}
            states = {name: store.status(key) for name, key in keys.items()}
            todo = [d for d in dests if states[d.name] not in (SENT, FAILED)]
            if not todo:
                continue
            resend = any(states[d.name] == INTENT for d in todo)
            if not resend:
                if summary.quiet:
                    continue
                if (counted if dry_run else store.sends_since(customer.user, window)) >= settings.notify_cap:
                    summary.capped += 1
                    continue
            msg = message(t, unseal_id(settings.secret_key, customer.sealed), served, settings)
            if not msg.items:
                summary.empty += 1
                continue
            result = Result(trigger=t.kind, due=msg.time, destinations={}, message=msg)
            summary.results.append(result)
            if dry_run:
                result.destinations = {d.name: "would send" for d in todo}
                counted += 1
                continue
            first = not any(s == SENT for s in states.values())
            for d in todo:
                store.intend(keys[d.name], customer.user, now)
                outcome = d.send(msg)
                if outcome.ok:
                    store.mark(keys[d.name], SENT, now)
                    result.destinations[d.name] = "sent"
                elif outcome.final:
                    store.mark(keys[d.name], FAILED, now)
                    result.destinations[d.name] = f"failed: {outcome.status} {outcome.detail}".strip()
                else:
                    result.destinations[d.name] = f"retry: {outcome.status or ''} {outcome.detail}".strip()
            done = result.destinations.values()
            summary.sent += any(v == "sent" for v in done)
            summary.failed += any(v.startswith("failed") for v in done)
            summary.retry += any(v.startswith("retry") for v in done)
            if first and "sent" in done and impressions is not None:
                impressions.write(msg)
    if not dry_run:
        store.prune(now - max(settings.notify_cap_hours, settings.notify_expire_hours) * HOUR - 24 * HOUR)
    return summary
