"""Replay shopper journeys against a server: ``python -m loadtests.replay --url http://127.0.0.1:8000``.

A fixed number of virtual users each walk journeys (see ``sessions.py``) one request after
another. Without ``--rate`` the loop is closed: a user sends its next request as soon as the
previous answer arrives. With ``--rate`` requests are released on a fixed schedule and each
latency is measured from its scheduled time, so a stalled server is not hidden by the users
waiting for it (no coordinated omission). Every run stops after ``--duration`` seconds or
``--max-requests`` requests, whichever comes first. With ``--ingest`` every page also posts
the events the shopper produced on it to ``POST /v1/events`` (``ingest.py``).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib.util
import itertools
import os
import random
import sys
import time
from collections.abc import Awaitable, Callable, Coroutine, Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, TypeVar

import httpx

from loadtests import cachestats, report
from loadtests.histogram import Recorder
from loadtests.ingest import Ingest
from loadtests.sessions import Journey, Step, anonymous, load_journeys

# Event ingest (``--ingest``): after each page request the same user posts that page's events
# (see ``ingest.py``) on the same connection; ingest is reported on its own, never in the pages.
IngestHook = Callable[[httpx.AsyncClient, Journey, Step], Awaitable[None]]

_LISTS = ("history", "cart")
T = TypeVar("T")


@dataclass(frozen=True)
class Config:
    url: str = "http://127.0.0.1:8000"
    users: int = 16
    duration: float = 10.0
    max_requests: int = 1_000_000
    rate: float | None = None       # open loop at this many requests/s; None: closed loop
    timeout: float = 5.0
    method: str = "GET"
    seed: int = 0


class _Budget:
    def __init__(self, max_requests: int, deadline: float) -> None:
        self.left = max_requests
        self.deadline = deadline

    def take(self) -> bool:
        if self.left <= 0 or time.perf_counter() >= self.deadline:
            return False
        self.left -= 1
        return True


def body(step: Step) -> dict[str, Any]:
    """The POST body of a step: the same fields as its query string, lists as JSON arrays."""
    out: dict[str, Any] = step.query()
    for key in _LISTS:
        if key in out:
            out[key] = out[key].split(",")
    return out


async def send(client: httpx.AsyncClient, step: Step, recorder: Recorder, method: str, start: float) -> None:
    """One request; its latency counts from ``start`` (the scheduled time in open loop)."""
    try:
        if method == "POST":
            response = await client.post("/v1/recommend", json=body(step))
        else:
            response = await client.get("/v1/recommend", params=step.query())
    except httpx.TimeoutException:
        recorder.error(step.page, "timeout")
    except httpx.TransportError:
        recorder.error(step.page, "connection")
    except Exception as exc:  # counted, never fatal: one odd answer must not end the run
        recorder.error(step.page, f"other:{type(exc).__name__}")
    else:
        if response.status_code == 200:
            recorder.ok(step.page, time.perf_counter() - start)
        else:
            recorder.error(step.page, f"http_{response.status_code}")


async def _user(client: httpx.AsyncClient, source: Iterator[Journey], config: Config, budget: _Budget,
                tickets: asyncio.Queue[float | None] | None, recorder: Recorder,
                ingest: IngestHook | None) -> None:
    while True:
        journey = next(source)
        for step in journey.steps:
            if tickets is not None:
                scheduled = await tickets.get()
                if scheduled is None:
                    return
                start = scheduled
            elif budget.take():
                start = time.perf_counter()
            else:
                return
            await send(client, step, recorder, config.method, start)
            if ingest is not None:
                await ingest(client, journey, step)


async def _release(tickets: asyncio.Queue[float | None], config: Config, budget: _Budget, users: int) -> None:
    """Open loop: one ticket per scheduled request, then one stop ticket per user."""
    assert config.rate
    t0 = time.perf_counter()
    for i in itertools.count():
        due = t0 + i / config.rate
        if due >= budget.deadline or not budget.take():
            break
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tickets.put_nowait(due)
    for _ in range(users):
        tickets.put_nowait(None)


async def run(journeys: Sequence[Journey], config: Config, ingest: Ingest | None = None) -> dict[str, Any]:
    """Replay ``journeys`` (cycled, from a seeded random start) and return the report; with
    ``ingest``, every page also posts its events and the report gains an ``ingest`` section."""
    if not journeys:
        raise ValueError("no journeys to replay")
    order = list(journeys)
    random.Random(config.seed).shuffle(order)
    source = itertools.cycle(order)
    recorder = Recorder()
    # One single-connection client per user: httpcore's pool does work linear in its size on
    # every request, which made one shared pool of 16+ connections the generator's bottleneck.
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    async with contextlib.AsyncExitStack() as stack:
        clients = [await stack.enter_async_context(httpx.AsyncClient(base_url=config.url, limits=limits,
                                                                     timeout=config.timeout))
                   for _ in range(config.users)]
        start = time.perf_counter()
        budget = _Budget(config.max_requests, start + config.duration)
        tickets: asyncio.Queue[float | None] | None = asyncio.Queue() if config.rate else None
        hook = ingest.page if ingest is not None else None
        tasks = [asyncio.create_task(_user(client, source, config, budget, tickets, recorder, hook))
                 for client in clients]
        if tickets is not None:
            tasks.append(asyncio.create_task(_release(tickets, config, budget, config.users)))
        # In-flight requests get one timeout to finish after the deadline; then the run ends regardless.
        _, pending = await asyncio.wait(tasks, timeout=config.duration + config.timeout + 1.0)
        for task in pending:
            task.cancel()
        outcomes = await asyncio.gather(*tasks, return_exceptions=True)
        elapsed = time.perf_counter() - start
    for outcome in outcomes:  # a bug (or a failing ingest hook) must not pass as a quiet run
        if isinstance(outcome, Exception):
            raise outcome
    unsent = 0  # open loop: scheduled requests no user got to before the hard stop
    while tickets is not None and not tickets.empty():
        unsent += tickets.get_nowait() is not None
    result = report.build(recorder, elapsed, {**asdict(config), "journeys": len(order)})
    result["unsent"] = unsent
    if ingest is not None:
        result["ingest"] = ingest.report(elapsed)
    return result


def run_sync(journeys: Sequence[Journey], config: Config, ingest: Ingest | None = None) -> dict[str, Any]:
    """``run`` on uvloop when installed (the generator needs less CPU per request there)."""
    return on_loop(run(journeys, config, ingest))


def on_loop(coro: Coroutine[Any, Any, T]) -> T:
    """Run ``coro`` on uvloop when installed, else on asyncio's default loop."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coro)
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(coro)


def prepare_process() -> None:
    """For a process that only generates load: httpcore tries ``import sniffio`` on every request;
    when it is not installed each try searches sys.path (a fifth of the generator's CPU). Marking
    it absent makes the import fail at once, with the same outcome."""
    if importlib.util.find_spec("sniffio") is None:
        sys.modules["sniffio"] = None  # type: ignore[assignment]


def wait_ready(url: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            if httpx.get(f"{url}/readyz", timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() >= deadline:
            raise TimeoutError(f"{url} not ready within {timeout:.0f} s")
        time.sleep(0.2)


def ingest_line(r: dict[str, Any]) -> str:
    lat = r["latency"]
    return (f"ingest: {r['requests']} batches ({r['rps']:.1f}/s), {r['events_accepted']} events accepted "
            f"({r['events_per_s']:.1f}/s), {r['events_rejected']} rejected, {r['failed']} failed batches"
            + (f" {r['errors']}" if r["errors"] else "")
            + (f"; per batch p50 {lat['p50_ms']:.2f} ms, p99 {lat['p99_ms']:.2f} ms, p99.9 {lat['p99_9_ms']:.2f} ms"
               if lat["count"] else ""))


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m loadtests.replay", description=__doc__.split("\n")[0])
    p.add_argument("--url", default=Config.url, help="server base URL")
    p.add_argument("--events", type=Path, action="append",
                   help="events file in Skylt's format (repeatable); default: the embedded demo events")
    p.add_argument("--users", type=int, default=Config.users, help="concurrent virtual users")
    p.add_argument("--duration", type=float, default=Config.duration, help="seconds")
    p.add_argument("--max-requests", type=int, default=Config.max_requests)
    p.add_argument("--rate", type=float, help="open loop: target requests/s (default: closed loop)")
    p.add_argument("--timeout", type=float, default=Config.timeout, help="per request, seconds")
    p.add_argument("--method", choices=("GET", "POST"), default=Config.method)
    p.add_argument("--seed", type=int, default=Config.seed)
    p.add_argument("--ingest", action="store_true",
                   help="every page also posts its events to POST /v1/events (key: --ingest-key)")
    p.add_argument("--ingest-key", default=os.environ.get("SKYLT_INGEST_KEY"),
                   help="an ingest key of the server (default: $SKYLT_INGEST_KEY)")
    p.add_argument("--anonymous", action="store_true",
                   help="send no user ids: anonymous shoppers, whose answers Skylt's response cache may keep")
    p.add_argument("--json", type=Path, help="write the report here")
    return p.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.users < 1 or args.duration <= 0 or args.max_requests < 1 or (args.rate is not None and args.rate <= 0):
        sys.exit("users, duration, max-requests and rate must be positive")
    if args.ingest and not args.ingest_key:
        sys.exit("--ingest needs --ingest-key (or $SKYLT_INGEST_KEY): one of the server's ingest_keys")
    config = Config(url=args.url.rstrip("/"), users=args.users, duration=args.duration,
                    max_requests=args.max_requests, rate=args.rate, timeout=args.timeout, method=args.method,
                    seed=args.seed)
    prepare_process()
    journeys = load_journeys(args.events)
    if args.anonymous:
        journeys = anonymous(journeys)
    wait_ready(config.url)
    before = cachestats.counts(config.url)
    result = run_sync(journeys, config, Ingest(args.ingest_key) if args.ingest else None)
    result["cache"] = cachestats.delta(before, cachestats.counts(config.url))
    print(report.table(result))
    if result["cache"] is not None:
        print(cachestats.line("replay", result["cache"]))
    if "ingest" in result:
        print(ingest_line(result["ingest"]))
    if args.json:
        report.write(result, args.json)
        print(f"wrote {args.json}")
    ingested = result.get("ingest", {})
    return 1 if result["failed"] or ingested.get("failed") or ingested.get("events_rejected") else 0


if __name__ == "__main__":
    sys.exit(main())
