"""What the runner measures. Every scenario starts its own servers one at a time (so targets
never share the CPU), loads them for a bounded time and returns a JSON-ready dict."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from loadtests import cachestats, ingest, procfs, replay, swapper, targets, wrkrun
from loadtests.sessions import Journey


@dataclass(frozen=True)
class Settings:
    tables: Path
    workdir: Path
    journeys: list[Journey]
    ids_file: Path
    driver: str = "python"        # "wrk" or "python"
    workers: int = 1
    duration: float = 10.0        # seconds per measurement
    connections: int = 32         # wrk connections, or virtual users of the Python generator
    step_seconds: float = 5.0     # ramp: seconds per concurrency level
    max_connections: int = 256    # ramp: highest level tried
    swap_every: float = 2.0       # swap: seconds between republished snapshots
    soak_seconds: float = 120.0
    sample_every: float = 2.0     # soak: seconds between RSS samples
    batch: int = 50               # ingest: events per POST
    ingest: bool = False          # Python driver: skylt's pages also post their events
    compare_tables: tuple[Path, ...] = ()  # memory: served after ``tables``, under the same load
    cache_bytes: int | None = None  # skylt's response cache per worker; None: its default (steady: the cached run)
    max_requests: int = 2_000_000


def python_replay(url: str, s: Settings, users: int, seconds: float, rate: float | None = None,
            ingest_events: bool = False) -> dict[str, Any]:
    config = replay.Config(url=url, users=users, duration=seconds, max_requests=s.max_requests, rate=rate)
    return replay.run_sync(s.journeys, config, ingest.Ingest(targets.INGEST_KEY) if ingest_events else None)


def _row(page: str, rps: float, lat: dict[str, float], failed: int, count: int) -> dict[str, Any]:
    return {"page": page, "rps": rps, "count": count, "failed": failed, **lat}


def measure(url: str, s: Settings, connections: int | None = None, seconds: float | None = None,
            pages: tuple[str, ...] = wrkrun.PAGES, ingest_events: bool = False,
            cache: bool = False) -> list[dict[str, Any]]:
    """Throughput and latency rows (per page; with wrk one run per page script in ``pages``).
    ``ingest_events`` (Python driver, skylt only): pages also post their events, one more row.
    ``cache`` (skylt): each wrk row, or the Python driver's overall row, gets the response cache's
    hits, misses and hit rate over that load (from /metrics); with wrk, each page script first runs
    until the cache holds all its URLs (``warm_cache``), so its row measures hits."""
    conns = connections or s.connections
    secs = seconds or s.duration
    if s.driver == "wrk":
        rows = []
        for page in pages:
            warm = warm_cache(url, s, page, conns) if cache else None
            before = cachestats.counts(url) if cache else {}
            r = wrkrun.run(url, page, s.ids_file, seconds=max(1, round(secs)), connections=conns)
            lat = {f"p{k.replace('.', '_')}_ms": v for k, v in r["latency_ms"].items()}
            rows.append(_row(page, r["rps"], lat, r["failed"], r["requests"]))
            if cache:
                rows[-1]["cache"] = cachestats.delta(before, cachestats.counts(url))
                rows[-1]["warm_up"] = warm
        return rows
    before = cachestats.counts(url) if cache else {}
    rep = python_replay(url, s, conns, secs, ingest_events=ingest_events)
    rows = []
    for page, stats in [*rep["pages"].items(), ("overall", {**rep["overall"], "rps": rep["rps"],
                                                            "errors": rep["errors"]})]:
        lat = {k: v for k, v in stats.items() if k.startswith("p") and k.endswith("_ms")}
        rows.append(_row(page, stats["rps"], lat, sum(stats["errors"].values()), stats.get("count", 0)))
    if cache:
        rows[-1]["cache"] = cachestats.delta(before, cachestats.counts(url))
    if "ingest" in rep:
        posted = rep["ingest"]
        lat = {k: v for k, v in posted["latency"].items() if k.startswith("p") and k.endswith("_ms")}
        rows.append({**_row("ingest", posted["rps"], lat, posted["failed"], posted["requests"]),
                     "events_per_s": posted["events_per_s"], "events_rejected": posted["events_rejected"]})
    return rows


WARM_TRIES = 10


def warm_cache(url: str, s: Settings, page: str, connections: int) -> dict[str, Any]:
    """wrk runs of 1 s with ``page``'s script until one adds no response cache miss (every URL the
    script sends is cached), at most WARM_TRIES; not timed. A cache too small for the script's
    URLs never gets there, and the measured row's hit rate says so."""
    runs = misses = 0
    while runs < WARM_TRIES:
        before = cachestats.counts(url)
        wrkrun.run(url, page, s.ids_file, seconds=1, connections=connections)
        runs += 1
        seen = cachestats.delta(before, cachestats.counts(url))
        if seen is None:
            break
        misses += seen["miss"]
        if not seen["miss"]:
            break
    return {"runs": runs, "misses": misses}


def save_body(url: str, s: Settings, path: Path) -> Path:
    """A real product-page answer, so the baselines send bodies of the same size."""
    step = next(st for j in s.journeys for st in j.steps if st.page == "product")
    response = httpx.get(f"{url}/v1/recommend", params=step.query(), timeout=10)
    response.raise_for_status()
    path.write_bytes(response.content)
    return path


UNCACHED = "skylt-uncached"


def steady(s: Settings) -> dict[str, Any]:
    """skylt with its response cache (``cache_bytes``, default on), skylt without it, then the
    baselines: the first shows what cache hits cost, the second what computing every answer does."""
    out: dict[str, Any] = {"targets": {}, "skipped": {}}
    with targets.skylt(s.tables, s.workers, s.workdir, cache_bytes=s.cache_bytes) as t:
        body = save_body(t.url, s, s.workdir / "body.json")
        out["targets"]["skylt"] = measure(t.url, s, ingest_events=s.ingest, cache=True)
    with targets.skylt(s.tables, s.workers, s.workdir, cache_bytes=0) as t:
        out["targets"][UNCACHED] = measure(t.url, s, ingest_events=s.ingest)
    out["body_bytes"] = body.stat().st_size
    with targets.trivial(body, s.workers, s.workdir) as t:
        out["targets"]["trivial"] = measure(t.url, s)
    nginx = targets.nginx(body, s.workers, s.workdir)
    if nginx is None:
        out["skipped"]["nginx"] = "nginx is not installed (apt-get install nginx-light)"
    else:
        with nginx as t:
            out["targets"]["nginx"] = measure(t.url, s)
    out["ratios"] = ratios(out["targets"])
    return out


def ratios(results: dict[str, list[dict[str, Any]]]) -> dict[str, dict[str, float]]:
    """Each skylt target's throughput (cached, uncached) over each baseline's, page by page."""
    out: dict[str, dict[str, float]] = {}
    for name in ("skylt", UNCACHED):
        skylt = {r["page"]: r["rps"] for r in results.get(name, [])}
        for base in ("trivial", "nginx"):
            other = {r["page"]: r["rps"] for r in results.get(base, [])}
            out[f"{name}/{base}"] = {p: round(skylt[p] / other[p], 3) for p in skylt if other.get(p)}
    return {k: v for k, v in out.items() if v}


def swap(s: Settings) -> dict[str, Any]:
    """Republish the snapshot under a new name every ``swap_every`` seconds during load; every
    request must succeed and every worker must end on the newest snapshot."""
    root = swapper.private_copy(s.tables, s.workdir / "swap-tables")
    poll = min(0.5, s.swap_every / 2)
    with targets.skylt(root, s.workers, s.workdir, poll_seconds=poll, cache_bytes=s.cache_bytes) as t:
        stop = threading.Event()
        published: list[str] = []
        thread = threading.Thread(target=swapper.republish_every, args=(root, s.swap_every, stop, published))
        thread.start()
        try:
            rep = python_replay(t.url, s, s.connections, s.duration, ingest_events=s.ingest)
        finally:
            stop.set()
            thread.join()
        time.sleep(4 * poll + 1)  # let every worker notice the last swap
        latest = str(root / published[-1] / "data.mdb") if published else None
        maps = {pid: sorted(procfs.mapped_files(pid, "/data.mdb")) for pid in t.pids()}
    workers = {pid: files for pid, files in maps.items() if files}
    on_latest = bool(workers) and all(latest in files for files in workers.values())
    return {"swaps": len(published), "requests": rep["requests"], "failed": rep["failed"], "errors": rep["errors"],
            "overall": rep["overall"], "ingest": rep.get("ingest"), "worker_maps": workers,
            "workers_on_latest": on_latest,
            "passed": rep["failed"] == 0 and not rep.get("ingest", {}).get("failed") and bool(published) and on_latest}


def cache_limit(s: Settings) -> int:
    """The response cache bound each skylt worker runs with."""
    from edge.config import Settings as ServerSettings

    return s.cache_bytes if s.cache_bytes is not None else ServerSettings.load().response_cache_bytes


def soak(s: Settings) -> dict[str, Any]:
    """Load for ``soak_seconds`` while sampling each server process's RSS; flat means the median
    of the last quarter is within max(5 %, 4 MiB) of the median after warm-up (10-35 %), plus
    the response cache's bound: a worker's cache may fill up to it (then it evicts) at any time."""
    samples: dict[int, list[tuple[float, int]]] = {}
    allowance = cache_limit(s) // 1024
    with targets.skylt(s.tables, s.workers, s.workdir, cache_bytes=s.cache_bytes) as t:
        before = cachestats.counts(t.url)
        stop = threading.Event()
        t0 = time.monotonic()

        def sample() -> None:
            while not stop.wait(s.sample_every):
                for pid in t.pids():
                    rss = procfs.rss_kib(pid)
                    if rss is not None:
                        samples.setdefault(pid, []).append((round(time.monotonic() - t0, 1), rss))

        thread = threading.Thread(target=sample)
        thread.start()
        try:
            rep = python_replay(t.url, s, s.connections, s.soak_seconds, ingest_events=s.ingest)
        finally:
            stop.set()
            thread.join()
        names = {pid: procfs.cmdline(pid)[:120] for pid in samples}
        cache = cachestats.delta(before, cachestats.counts(t.url))
    processes = {str(pid): {"cmdline": names[pid], **_trend(points, allowance)} for pid, points in samples.items()}
    return {"seconds": s.soak_seconds, "requests": rep["requests"], "failed": rep["failed"],
            "overall": rep["overall"], "ingest": rep.get("ingest"), "processes": processes,
            "cache_allowance_kib": allowance, "cache": cache,
            "flat": all(p["flat"] for p in processes.values() if p["flat"] is not None)}


def _trend(points: list[tuple[float, int]], allowance_kib: int = 0) -> dict[str, Any]:
    rss = [kib for _, kib in points]
    n = len(rss)
    if n < 8:
        return {"samples": points, "flat": None, "note": "too few samples"}
    warm = sorted(rss[n // 10: max(n // 10 + 1, (n * 35) // 100)])
    last = sorted(rss[(n * 3) // 4:])
    start, end = warm[len(warm) // 2], last[len(last) // 2]
    growth = end - start
    return {"start_kib": start, "end_kib": end, "max_kib": max(rss), "growth_kib": growth,
            "flat": growth <= max(0.05 * start, 4096) + allowance_kib, "samples": points}


INGEST_TARGET_EVENTS_PER_S = 5000


def ingest_load(s: Settings) -> dict[str, Any]:
    """``connections`` clients post batches of ``batch`` events (from the journeys) for ``duration``
    seconds, each sending its next batch when the last is acknowledged (written and fsynced);
    then the server stops and the log must hold exactly the acknowledged events."""
    all_batches = ingest.batches(s.journeys, s.batch)
    with targets.skylt(s.tables, s.workers, s.workdir, cache_bytes=s.cache_bytes) as t:
        result = replay.on_loop(ingest.flood(t.url, targets.INGEST_KEY, all_batches, s.connections, s.duration))
    assert t.event_log is not None
    # The server has stopped, so every segment is closed: count what it wrote.
    logged = ingest.count_logged(t.event_log)
    matches = ingest.verify(result, logged)
    return {**result, "logged": logged, "log_matches": matches, "filesystem": procfs.filesystem(t.event_log),
            "target_events_per_s": INGEST_TARGET_EVENTS_PER_S,
            "meets_target": result["events_per_s"] >= INGEST_TARGET_EVENTS_PER_S,
            "passed": matches and result["failed"] == 0 and result["events_rejected"] == 0}


SCENARIOS = {"steady": steady, "swap": swap, "soak": soak, "ingest": ingest_load}
