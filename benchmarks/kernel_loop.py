"""The page kernel alone (``page_items``: plan + splice) on the 1M-item snapshot, two ways.

``tight``: one request per page repeated (the queries of ``test_bench_request.py``), as the
in-process benchmarks time it: everything the kernel reads stays in the CPU caches. ``many``:
800 different requests per page (random items and histories; the first 100 once before), as
a worker under load meets them: the rows and records a request reads are mostly cache misses. Prints, per
page, the median and minimum of 2,000 tight calls and the median of the many-request pass, in us.

    PYTHONPATH=. python benchmarks/kernel_loop.py LABEL

To compare two trees in one run, unpack the other with ``git archive`` and alternate the two
(``cd /tmp/base && PYTHONPATH=/tmp/base python benchmarks/kernel_loop.py base``), several times:
the box is shared and noisy.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from typing import Any

import numpy as np

from benchmarks.conftest import decoded, synthetic_tables_for
from edge.config import Settings
from edge.schemas import PAGE_SLOTS
from edge.scoring.splice import page_items
from edge.serve.warm import warm
from edge.slots.compiled import kernel_args
from edge.slots.context import build_context
from edge.slots.served import serve
from edge.store import open_snapshot

MANY = int(os.environ.get("MANY", "800"))


def queries(snap: Any, ids: list[str]) -> dict[str, list[tuple[str, str]]]:
    history = ",".join(ids[:20])
    return {"home": [("page", "home"), ("history", history)],
            "product": [("page", "product"), ("item", ids[20]), ("history", history)],
            "cart": [("page", "cart"), ("cart", ",".join(ids[21:24])), ("history", history)],
            "checkout": [("page", "checkout"), ("cart", ",".join(ids[21:24])), ("free_shipping_gap", "10")]}


def main(label: str) -> None:
    snap = open_snapshot(synthetic_tables_for(1_000_000))
    served = serve(snap, Settings())
    warm(served)

    def args(page: str, ids: list[str]) -> tuple:
        return kernel_args(served, build_context(snap, decoded(queries(snap, ids)[page])), PAGE_SLOTS[page])

    def external(rng: np.random.Generator, n: int) -> list[str]:
        return [snap.external_id(int(i)) for i in rng.integers(0, snap.n_items, n)]

    same = external(np.random.default_rng(1), 30)  # the ids test_bench_request.py draws
    clock = time.perf_counter_ns
    out = []
    for page in PAGE_SLOTS:
        tight = args(page, same)
        for _ in range(200):
            page_items(*tight)
        times = []
        for _ in range(2000):
            t = clock()
            page_items(*tight)
            times.append(clock() - t)
        rng = np.random.default_rng(5)
        spread = [args(page, external(rng, 24)) for _ in range(MANY)]
        for a in spread[:100]:  # a worker has served some requests before
            page_items(*a)
        many = []
        for a in spread:
            t = clock()
            page_items(*a)
            many.append(clock() - t)
        out.append(f"{page}: tight {statistics.median(times) / 1e3:.1f} (min {min(times) / 1e3:.1f}) "
                   f"many {statistics.median(many) / 1e3:.1f}")
    print(label, " ".join(out), flush=True)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "")
