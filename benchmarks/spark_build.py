"""Spark ``local[2]`` against the single-node builder: wall time and peak memory of ``skylt build``.

    python -m benchmarks.spark_build --events 1000000 --items 100000

Each engine runs as its own ``skylt build`` process on the same synthetic files (written once
under $SKYLT_BENCH_DIR, see ``benchmarks/conftest.py``). Memory is the peak of the summed RSS
of the build's process tree, sampled every 0.2 s: for Spark that is the Python driver, the
JVM (driver and, in local mode, executors) and the Python workers; the JVM's own peak
(VmHWM) is given apart. The two snapshots are then compared array by array.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from benchmarks.conftest import event_files


def _tree(pid: int) -> list[int]:
    pids, frontier = [pid], [pid]
    while frontier:
        parent = frontier.pop()
        try:
            children = Path(f"/proc/{parent}/task/{parent}/children").read_text().split()
        except OSError:
            continue
        pids += map(int, children)
        frontier += map(int, children)
    return pids


def _status(pid: int, key: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def run(engine: str, events: Path, catalog: Path, out: Path) -> dict[str, float]:
    cmd = [sys.executable, "-m", "edge", "build", "--engine", engine, "--events", str(events), "--catalog",
           str(catalog), "--out", str(out), "--quiet"]
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = {"tree": 0, "jvm": 0}
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            pids = _tree(proc.pid)
            peak["tree"] = max(peak["tree"], sum(_status(p, "VmRSS") for p in pids))
            for p in pids:
                try:
                    if b"java" in Path(f"/proc/{p}/cmdline").read_bytes():
                        peak["jvm"] = max(peak["jvm"], _status(p, "VmHWM"))
                except OSError:
                    pass
            done.wait(0.2)

    watcher = threading.Thread(target=sample, daemon=True)
    watcher.start()
    _stdout, stderr = proc.communicate()
    seconds = time.perf_counter() - started
    done.set()
    watcher.join()
    if proc.returncode:
        raise SystemExit(f"{engine} build failed:\n{stderr[-3000:]}")
    return {"seconds": seconds, "peak_tree_mb": peak["tree"] / 2**20, "peak_jvm_mb": peak["jvm"] / 2**20}


def same_snapshot(a: Path, b: Path) -> bool:
    from edge.store import open_snapshot

    with open_snapshot(a) as x, open_snapshot(b) as y:
        return x.manifest.counts == y.manifest.counts and all(
            x.arrays[name].tobytes() == y.arrays[name].tobytes() for name in x.arrays)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--engines", default="single-node,spark")
    args = parser.parse_args()
    events, catalog = event_files(args.events, args.items)
    print(f"{args.events:,} events over {args.items:,} items; {os.cpu_count()} cores", flush=True)
    with tempfile.TemporaryDirectory(prefix="skylt-spark-bench-") as tmp:
        outs = {}
        for engine in args.engines.split(","):
            outs[engine] = Path(tmp) / engine
            r = run(engine, events, catalog, outs[engine])
            print(f"| {engine} | {args.events:,} | {r['seconds']:.1f} | {r['peak_tree_mb']:.0f} | "
                  f"{r['peak_jvm_mb']:.0f} |", flush=True)
        if len(outs) == 2:
            a, b = (p / "current" for p in outs.values())
            print("snapshots identical:", same_snapshot(a, b))


if __name__ == "__main__":
    main()
