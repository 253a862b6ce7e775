"""Reproducible performance runs: ``python -m loadtests.runner --tables DIR [--scenario steady]``.

Scenarios (see ``scenarios.py``, ``ramp.py`` and ``memory.py``):

- ``steady``: skylt with its response cache, skylt without it, a trivial Starlette app and nginx
  (if installed), one after another on the same settings, each loaded for ``--duration`` s; prints
  the throughput ratios, the cache's hit rate and the latencies.
- ``ramp``: the serving targets: computed product pages (``--cache-bytes 0``) on skylt's default
  server and on uvicorn against the trivial route, at ``--connections``; then skylt's maximum and
  70 % of it held on skylt and the trivial route in turns (p99 median of three holds each).
- ``swap``: republishes the snapshot every ``--swap-every`` s under load; fails on any error.
- ``soak``: ``--soak-seconds`` of load while sampling each server process's RSS.
- ``ingest``: ``--connections`` clients post batches of ``--batch`` events for ``--duration`` s;
  events/s, latency per batch, and the log checked against the acknowledged count.
- ``memory``: ``--tables`` and then each ``--compare-tables`` under the same load; memory per worker.

The driver is wrk when installed (``--driver auto``), else the Python replay generator. When the
machine has more CPUs than ``--workers``, servers and generator run on separate CPUs
(``placement.py``; ``--no-pin`` turns it off).
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import os
import platform
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from loadtests import cachestats, memory, placement, ramp, replay, scenarios, targets, wrkrun
from loadtests.sessions import anonymous, item_ids, load_journeys

SCENARIOS = {**scenarios.SCENARIOS, "ramp": ramp.ramp, "memory": memory.memory}


def machine() -> dict[str, Any]:
    model = mem = ""
    with contextlib.suppress(OSError):
        model = next((ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                      if ln.startswith("model name")), "")
    with contextlib.suppress(OSError, IndexError):
        mem = Path("/proc/meminfo").read_text().splitlines()[0].split(":", 1)[1].strip()
    return {"cpu": model, "nproc": os.cpu_count(), "memory": mem, "kernel": platform.release(),
            "python": platform.python_version(), "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}


def latency_table(results: dict[str, list[dict[str, Any]]]) -> str:
    head = ["target", "page", "rps", "p50 ms", "p99 ms", "p99.9 ms", "failed"]
    rows = [head]
    for target, page_rows in results.items():
        for r in page_rows:
            rows.append([target, r["page"], f"{r['rps']:.0f}", *[f"{r[k]:.2f}" if k in r else "-"
                                                                 for k in ("p50_ms", "p99_ms", "p99_9_ms")],
                         str(r["failed"])])
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    return "\n".join("  ".join(c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths,
                                                                                                   strict=True)))
                     for r in rows)


def _held(held: dict[str, Any]) -> str:
    steal = "" if held["cpu_steal"] is None else f", CPU steal {100 * held['cpu_steal']:.1f} %"
    return (f"{held['achieved_rps']:.0f} rps achieved, p99 {held['p99_ms']} ms{steal}"
            + (" (generator-limited)" if held["generator_limited"] else "")
            + ("" if held["on_target"] else " (not within 5 % of the target rate)"))


def ramp_summary(result: dict[str, Any]) -> str:
    rates = result["throughput"]
    lines = [f"computed product pages at {rates['connections']} connections, requests/s (median of "
             f"{len(rates['runs'])} turns): " + ", ".join(f"{name} {rps:.0f}" for name, rps in rates["rps"].items()),
             f"skylt on {result['server']} / trivial route on uvicorn: {rates['ratios']['skylt']} (target "
             f"{rates['target']}: {'met' if rates['meets_target'] else 'not met'}); skylt on uvicorn / trivial: "
             f"{rates['ratios']['skylt-uvicorn']}"]
    lines += [f"c={st['connections']:>4}  {st['rps']:8.0f} rps" for st in result["steps"]]
    repeats = " / ".join(f"{r:.0f}" for r in result["peak_repeats"])
    lines.append(f"max {result['max_rps']:.0f} rps at {result['max_at_connections']} connections (median of "
                 f"{result['best_step_rps']:.0f} and the repeats {repeats}); held at 70 %: "
                 f"{result['target_rps']:.0f} rps")
    for name, holds in result["holds"].items():
        lines += [f"  {name}: {_held(h)}" for h in holds]
    p99 = result["p99_ms"]
    lines.append(f"median p99 skylt {p99['skylt']} ms / trivial {p99['trivial']} ms = {result['p99_ratio']} "
                 f"(target {result['p99_ratio_target']}, every hold on its rate): "
                 + ("met" if result["meets_target"] else "not met"))
    lines.append(cachestats.line("ramp", result["cache"]))
    return "\n".join(lines)


def summary(scenario: str, result: dict[str, Any]) -> str:
    if scenario == "steady":
        lines = [latency_table(result["targets"])]
        lines += [f"skipped {name}: {why}" for name, why in result["skipped"].items()]
        lines += [f"{name}: " + ", ".join(f"{page} {r:.2f}" for page, r in pages.items())
                  for name, pages in result["ratios"].items()]
        lines += [cachestats.line(f"skylt {r['page']}", r["cache"]) for r in result["targets"].get("skylt", [])
                  if "cache" in r]
        return "\n".join(lines)
    if scenario == "ramp":
        return ramp_summary(result)
    if scenario == "ingest":
        lat = result["latency"]
        return (f"{result['events_accepted']} events acknowledged in {result['seconds']:.1f} s: "
                f"{result['events_per_s']:.0f} events/s (target {result['target_events_per_s']}), "
                f"{result['rps']:.0f} batches/s of {result['batch']}, {result['failed']} failed "
                f"{result['errors'] or ''}; per batch p50 {lat.get('p50_ms')} ms, p99 {lat.get('p99_ms')} ms; "
                f"log ({result['filesystem']}): {result['logged']['lines']} lines in {result['logged']['segments']} "
                f"segment(s), matches the acknowledged count: {result['log_matches']}; "
                + ("PASSED" if result["passed"] else "FAILED"))
    if scenario == "memory":
        return memory.summary(result)
    if result.get("ingest"):  # swap, soak with --ingest
        return summary(scenario, {**result, "ingest": None}) + "\n" + replay.ingest_line(result["ingest"])
    if scenario == "swap":
        return (f"{result['swaps']} swaps, {result['requests']} requests, {result['failed']} failed "
                f"{result['errors'] or ''}; workers on the newest snapshot: {result['workers_on_latest']}; "
                + ("PASSED" if result["passed"] else "FAILED"))
    lines = [f"pid {pid}: {p.get('start_kib')} -> {p.get('end_kib')} KiB (max {p.get('max_kib')}), "
             f"flat={p['flat']}  {p['cmdline'][:60]}" for pid, p in result["processes"].items()]
    lines.append(f"{result['requests']} requests, {result['failed']} failed; RSS flat: {result['flat']} "
                 f"(allowing {result['cache_allowance_kib']} KiB for the response cache)")
    lines.append(cachestats.line("soak", result["cache"]))
    return "\n".join(lines)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m loadtests.runner", description=__doc__.split("\n")[0])
    p.add_argument("--tables", type=Path, required=True, help="tables directory (with a current snapshot)")
    p.add_argument("--scenario", choices=sorted(SCENARIOS), default="steady")
    p.add_argument("--driver", choices=("auto", "wrk", "python"), default="auto")
    p.add_argument("--events", type=Path, action="append", help="events for the request mix; default: demo")
    p.add_argument("--workers", type=int, default=1, help="server worker processes (every target)")
    p.add_argument("--duration", type=float, default=10.0, help="seconds per measurement")
    p.add_argument("--connections", type=int, default=32, help="wrk connections / generator users")
    p.add_argument("--step-seconds", type=float, default=5.0, help="ramp: seconds per level")
    p.add_argument("--max-connections", type=int, default=256, help="ramp: highest level")
    p.add_argument("--swap-every", type=float, default=2.0, help="swap: seconds between snapshots")
    p.add_argument("--soak-seconds", type=float, default=120.0, help="soak: seconds of load (max 3600)")
    p.add_argument("--batch", type=int, default=50, help="ingest: events per POST (at most 500)")
    p.add_argument("--ingest", action="store_true",
                   help="steady, swap, soak, memory with the Python driver: skylt's pages also post their events")
    p.add_argument("--compare-tables", type=Path, action="append", default=[],
                   help="memory: further tables directories served after --tables (repeatable)")
    p.add_argument("--cache-bytes", type=int,
                   help="skylt's response cache per worker (SKYLT_RESPONSE_CACHE_BYTES; 0: off); default: the "
                        "server's. steady always measures a second skylt with it off; memory runs it off unless set")
    p.add_argument("--anonymous", action="store_true",
                   help="Python driver: replay the journeys without their user ids (anonymous shoppers, whose "
                        "answers the response cache may keep)")
    p.add_argument("--no-pin", action="store_true",
                   help="leave servers and load generator wherever the scheduler puts them (default: separate "
                        "CPUs when there are more CPUs than --workers)")
    p.add_argument("--json", type=Path, help="write the results here")
    return p.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    for tables in (args.tables, *args.compare_tables):
        if not (tables / "current").exists():
            sys.exit(f"{tables}: no current snapshot (run `skylt build` or `skylt demo --build-only`)")
    if args.scenario == "memory" and not args.compare_tables:
        sys.exit("--scenario memory needs at least one --compare-tables DIR to compare --tables with")
    if args.scenario == "steady" and args.cache_bytes is not None and args.cache_bytes <= 0:
        sys.exit("steady measures skylt with and without the response cache: --cache-bytes must be positive")
    if not 1 <= args.batch <= 500:
        sys.exit("--batch must be between 1 and 500 (the API's limit per POST)")
    if not 0 < args.soak_seconds <= 3600 or args.duration <= 0 or args.connections < 1:
        sys.exit("durations and connections must be positive; soak at most 3600 s")
    driver = args.driver
    if driver == "auto":
        driver = "wrk" if wrkrun.available() else "python"
        if driver == "python":
            print("wrk is not installed: measuring with the Python generator (apt-get install wrk)")
    elif driver == "wrk" and not wrkrun.available():
        sys.exit("wrk is not installed")
    if args.ingest and (args.scenario in ("ramp", "ingest")
                        or (driver == "wrk" and args.scenario in ("steady", "memory"))):
        sys.exit("--ingest replays events with the Python driver: steady or memory with --driver python, swap, soak")
    replay.prepare_process()
    placed = None if args.no_pin else placement.split(args.workers)
    if placed is not None:
        placement.pin_generator(placed)
        targets.SERVER_CPUS = placed.servers
    print(placed.describe() if placed else "servers and load generator not pinned to separate CPUs")
    journeys = load_journeys(args.events)
    if args.anonymous:
        journeys = anonymous(journeys)
    with tempfile.TemporaryDirectory(prefix="skylt-load-") as tmp:
        workdir = Path(tmp)
        settings = scenarios.Settings(
            tables=args.tables.resolve(), workdir=workdir, journeys=journeys,
            ids_file=wrkrun.write_ids(item_ids(journeys), workdir / "ids.txt"), driver=driver,
            workers=args.workers, duration=args.duration, connections=args.connections,
            step_seconds=args.step_seconds, max_connections=args.max_connections, swap_every=args.swap_every,
            soak_seconds=args.soak_seconds, batch=args.batch, ingest=args.ingest,
            compare_tables=tuple(t.resolve() for t in args.compare_tables), cache_bytes=args.cache_bytes)
        result = SCENARIOS[args.scenario](settings)
    print(summary(args.scenario, result))
    out = {"scenario": args.scenario, "machine": machine(),
           # ingest always posts with the Python client (wrk scripts are GET only).
           "settings": {"driver": "python" if args.scenario == "ingest" else driver, "workers": args.workers,
                        "duration": args.duration, "connections": args.connections, "tables": str(args.tables),
                        "batch": args.batch, "compare_tables": [str(t) for t in args.compare_tables],
                        "ingest": args.ingest, "cache_bytes": args.cache_bytes, "anonymous": args.anonymous,
                        "placement": dataclasses.asdict(placed) if placed else None},
           "result": result}
    if args.json:
        args.json.write_text(json.dumps(out, indent=2) + "\n")
        print(f"wrote {args.json}")
    failed = result.get("passed") is False or (args.scenario == "soak" and not result["flat"])
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
