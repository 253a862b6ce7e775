"""Event ingest load: the events a replayed journey posts to ``POST /v1/events``, and the
maximum-throughput run of the runner's ``ingest`` scenario.

A page posts the events the shopper produced on it (a view on a product page, a cart event
when the item went into the cart, one purchase per cart line at checkout) in one batch, as
a storefront snippet does. Ingest gets its own histogram and counters: it never mixes into
the page latencies.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import httpx

from edge.build.frames import EventType
from edge.events.segments import segments
from loadtests.histogram import Recorder, summary
from loadtests.sessions import Journey, Step

KEY_HEADER = "X-Skylt-Key"
PATH = "/v1/events"
PAGE = "ingest"
_NAMES = {int(t): t.name.lower() for t in EventType}


def step_events(journey: Journey, step: Step) -> list[dict[str, str]]:
    """The JSON events of one page: session = the journey, order = the journey for purchases."""
    params = dict(step.params)
    base = {"session": str(journey.key)}
    base.update({k: params[k] for k in ("user", "region") if k in params})
    out = []
    for kind, item in step.events:
        event = {"type": _NAMES[kind], "item": item, **base}
        if kind == EventType.PURCHASE:
            event["order"] = str(journey.key)
        out.append(event)
    return out


class Ingest:
    """Posts events with ``key`` and records batches (latency, errors) and accepted events."""

    def __init__(self, key: str) -> None:
        self.key = key
        self.recorder = Recorder()
        self.sent = 0          # events posted, whatever the answer
        self.accepted = 0      # events the server acknowledged (on disk)
        self.rejected = 0
        self.unknown = 0       # events of batches without an answer: stored or not, nobody knows

    async def post(self, client: httpx.AsyncClient, events: list[dict[str, str]]) -> None:
        self.sent += len(events)
        start = time.perf_counter()
        try:
            response = await client.post(PATH, json={"events": events}, headers={KEY_HEADER: self.key})
        except httpx.TimeoutException:
            self._lost("timeout", len(events))
        except httpx.TransportError:
            self._lost("connection", len(events))
        except Exception as exc:  # counted, never fatal, like a page request
            self._lost(f"other:{type(exc).__name__}", len(events))
        else:
            if response.status_code != 200:
                # An answer other than 200 stored nothing (auth, envelope or disk failure).
                self.recorder.error(PAGE, f"http_{response.status_code}")
                return
            self.recorder.ok(PAGE, time.perf_counter() - start)
            answer = response.json()
            self.accepted += int(answer["accepted"])
            self.rejected += len(answer.get("rejected", ()))

    def _lost(self, kind: str, n: int) -> None:
        self.recorder.error(PAGE, kind)
        self.unknown += n

    async def page(self, client: httpx.AsyncClient, journey: Journey, step: Step) -> None:
        """The replay's per-page hook: one batch with the page's events, if it has any."""
        events = step_events(journey, step)
        if events:
            await self.post(client, events)

    def report(self, seconds: float) -> dict[str, Any]:
        seconds = max(seconds, 1e-9)
        hist = self.recorder.pages.get(PAGE)
        latency = summary(hist) if hist is not None else {"count": 0}
        failed = self.recorder.failures()
        return {"requests": int(latency["count"]) + failed, "failed": failed, "errors": dict(self.recorder.errors),
                "rps": round((int(latency["count"]) + failed) / seconds, 1), "events_sent": self.sent,
                "events_accepted": self.accepted, "events_rejected": self.rejected, "events_unknown": self.unknown,
                "events_per_s": round(self.accepted / seconds, 1), "latency": latency}


def batches(journeys: Sequence[Journey], size: int) -> list[list[dict[str, str]]]:
    """Every event of the journeys in page order, cut into batches of ``size``."""
    flat = [ev for j in journeys for step in j.steps for ev in step_events(j, step)]
    if not flat:
        raise ValueError("the journeys hold no events")
    return [flat[i:i + size] for i in range(0, len(flat), size)]


async def flood(url: str, key: str, all_batches: Sequence[list[dict[str, str]]], clients: int, duration: float,
                timeout: float = 10.0) -> dict[str, Any]:
    """``clients`` connections each post the next batch as soon as the last is answered, until
    ``duration`` s have passed; batches in flight then get ``timeout`` to finish."""
    ingest = Ingest(key)
    source: Iterator[list[dict[str, str]]] = itertools.cycle(all_batches)
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    async with contextlib.AsyncExitStack() as stack:
        pool = [await stack.enter_async_context(httpx.AsyncClient(base_url=url, limits=limits, timeout=timeout))
                for _ in range(clients)]
        start = time.perf_counter()
        deadline = start + duration

        async def client_loop(client: httpx.AsyncClient) -> None:
            while time.perf_counter() < deadline:
                await ingest.post(client, next(source))

        await asyncio.gather(*(client_loop(c) for c in pool))
        elapsed = time.perf_counter() - start
    return {"clients": clients, "batch": max(len(b) for b in all_batches), **ingest.report(elapsed),
            "seconds": round(elapsed, 3)}


def count_logged(directory: Path) -> dict[str, int]:
    """Complete event lines in the log's segments (impression segments excluded), and torn tails."""
    out: Counter[str] = Counter()
    for path in segments(directory):
        data = path.read_bytes()
        out["segments"] += 1
        out["lines"] += data.count(b"\n")
        out["torn"] += bool(data) and not data.endswith(b"\n")
    return {"segments": out["segments"], "lines": out["lines"], "torn": out["torn"]}


def verify(result: dict[str, Any], logged: dict[str, int]) -> bool:
    """The log holds exactly the acknowledged events; a batch that got no answer may or may not
    be in it, so its events widen the range instead of failing the check."""
    acked = result["events_accepted"]
    return logged["torn"] == 0 and acked <= logged["lines"] <= acked + result["events_unknown"]
