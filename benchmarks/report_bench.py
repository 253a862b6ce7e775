"""``skylt report`` over a month of a busy shop: seconds and peak memory for N log rows.

    python -m benchmarks.report_bench [--rows 10000000] [--dir /tmp/skylt-bench/report-log]

Writes (once) a synthetic log: 60 % impressions, 40 % events (views, clicks on 3 % of the
renders, carts, purchases from the server and, for a third of the orders, from the browser
too), 300k shoppers over 30 days in two buckets, in 64 MB segments as the server writes them.
Then runs ``skylt report --json`` in a child process and prints its wall time and peak RSS.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

SLOTS = [("home", "for_you"), ("home", "trending"), ("product", "similar"), ("product", "upsell"),
         ("cart", "upsell")]
START = 1_790_000_000
SEGMENT = 64 << 20


class Writer:
    def __init__(self, folder: Path, prefix: str) -> None:
        self.folder, self.prefix, self.seq, self.f, self.size = folder, prefix, 0, None, 0

    def write(self, line: str) -> None:
        if self.f is None or self.size > SEGMENT:
            if self.f:
                self.f.close()
            self.seq += 1
            self.f = open(self.folder / f"{self.prefix}20260101T000000000000Z-1-{self.seq:06d}.jsonl", "w")  # noqa: SIM115 - open across writes
            self.size = 0
        self.size += self.f.write(line)

    def close(self) -> None:
        if self.f:
            self.f.close()


def generate(folder: Path, rows: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    imps, evs = Writer(folder, "impressions-"), Writer(folder, "events-")
    n_imp = n_ev = 0
    order = 0
    while n_imp + n_ev < rows:
        shopper = rng.randrange(300_000)
        session = f"s{shopper:07d}"
        bucket = "control" if shopper % 10 == 0 else "personalized"
        ts = START + rng.randrange(30 * 86400)
        rid = f"{ts:x}{rng.getrandbits(40):010x}"
        page, slot = SLOTS[rng.randrange(len(SLOTS))]
        items = [str(rng.randrange(50_000)) for _ in range(8)]
        imps.write(json.dumps({"ts": ts, "type": "impression", "request_id": rid, "slot": slot, "page": page,
                               "bucket": bucket, "items": items, "session_id": session}) + "\n")
        n_imp += 1
        item = items[0]
        for _ in range(rng.choice((0, 1, 1, 1))):  # about as many views as two thirds of the renders
            evs.write(json.dumps({"ts": ts + 5, "type": "view", "item_id": item, "session_id": session}) + "\n")
            n_ev += 1
        if rng.random() < 0.03:
            evs.write(json.dumps({"ts": ts + 9, "type": "click", "item_id": item, "session_id": session,
                                  "request_id": rid, "slot": slot}) + "\n")
            n_ev += 1
            if rng.random() < 0.3:
                evs.write(json.dumps({"ts": ts + 20, "type": "cart", "item_id": item, "session_id": session,
                                      "request_id": rid, "slot": slot}) + "\n")
                n_ev += 1
                if rng.random() < 0.4:
                    order += 1
                    line = {"ts": ts + 60, "type": "purchase", "item_id": item, "order_id": str(order),
                            "quantity": 1, "price": round(rng.uniform(5, 80), 2),
                            "currency": "EUR" if order % 5 else "GBP", "session_id": session,
                            "request_id": rid, "slot": slot}
                    evs.write(json.dumps(line) + "\n")
                    n_ev += 1
                    if order % 3 == 0:
                        evs.write(json.dumps(line | {"source": "browser"}) + "\n")
                        n_ev += 1
    imps.close()
    evs.close()
    (folder / "ROWS").write_text(f"{n_imp} {n_ev}\n")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--dir", type=Path,
                        default=Path(os.environ.get("SKYLT_BENCH_DIR", "/tmp/skylt-bench")) / "report-log")
    args = parser.parse_args()
    folder = args.dir / str(args.rows)
    if not (folder / "ROWS").exists():
        started = time.perf_counter()
        generate(folder, args.rows)
        print(f"wrote the log in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    n_imp, n_ev = map(int, (folder / "ROWS").read_text().split())
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "edge", "report", "--events-dir", str(folder), "--json",
                           "--control-share", "0.1"], capture_output=True, check=True)
    seconds = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    peak = usage.ru_maxrss / 1024  # KiB on Linux
    report = json.loads(done.stdout)
    print(f"{n_imp + n_ev:,} rows ({n_imp:,} impressions, {n_ev:,} events, {report['orders']:,} orders): "
          f"{seconds:.1f} s wall, {usage.ru_utime + usage.ru_stime:.1f} s CPU, peak RSS {peak:,.0f} MiB")


if __name__ == "__main__":
    main()
