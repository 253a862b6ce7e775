"""The ``memory`` scenario: memory per worker against catalog size.

Each tables directory (``--tables``, then every ``--compare-tables``) is served in turn under
the same load, and every worker's memory is read from /proc/<pid>/smaps_rollup after the
load. The journeys' item ids are mapped one for one onto ids of the snapshot being served,
spread over its whole catalog, so every snapshot answers the same shape of traffic.

A snapshot's arrays are file-backed mmaps of ``data.mdb``: their pages live in the page cache,
are shared by every worker and can be dropped under pressure. What a worker costs on its own
is its anonymous memory (heap, interpreter, compiled kernels), and that must not grow with
the catalog. (With one worker, file pages no other process maps count as ``Private_Clean``:
that is page cache, not worker memory, hence the comparison of ``Anonymous``.)
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from edge.store import open_snapshot
from loadtests import procfs, scenarios, targets, wrkrun
from loadtests.sessions import Journey, Step, item_ids

# One 4-byte value per item of a 1M-item catalog is 3.8 MiB; 100x more items must not cost that.
MAX_ANON_GROWTH_KIB = 4096
_FIELDS = ("Rss", "Pss", "Anonymous", "Private_Clean", "Private_Dirty", "Shared_Clean", "Shared_Dirty")


def snapshot_ids(tables: Path, count: int, seed: int = 0) -> tuple[int, list[str]]:
    """(catalog size, ``count`` external ids drawn uniformly from the served snapshot)."""
    with open_snapshot(tables) as snap:
        n = snap.n_items
        rng = random.Random(seed)
        picks = rng.sample(range(n), count) if count <= n else [rng.randrange(n) for _ in range(count)]
        return n, [snap.external_id(i) for i in picks]


def _distinct_items(journeys: Sequence[Journey]) -> list[str]:
    seen: dict[str, None] = {}
    for j in journeys:
        for step in j.steps:
            for key, value in step.params:
                if key in ("item", "history", "cart"):
                    seen.update(dict.fromkeys(value.split(",")))
            seen.update(dict.fromkeys(item for _, item in step.events))
    return list(seen)


def relabel(journeys: Sequence[Journey], mapping: dict[str, str]) -> list[Journey]:
    """The journeys with every item id replaced through ``mapping`` (lists deduplicated, in order)."""
    def one(key: str, value: str) -> str:
        if key == "item":
            return mapping[value]
        if key in ("history", "cart"):
            return ",".join(dict.fromkeys(mapping[v] for v in value.split(",")))
        return value

    def step(st: Step) -> Step:
        return Step(st.page, tuple((k, one(k, v)) for k, v in st.params),
                    tuple((kind, mapping[item]) for kind, item in st.events))

    return [Journey(j.key, tuple(step(st) for st in j.steps)) for j in journeys]


def worker_memory(pids: Sequence[int]) -> dict[str, dict[str, Any]]:
    """Memory of every process that maps a snapshot (the workers), in KiB."""
    out: dict[str, dict[str, Any]] = {}
    for pid in pids:
        snapshot = procfs.mapped_kib(pid, "/data.mdb")
        if not snapshot:
            continue
        rollup = procfs.smaps_rollup(pid)
        # CPU time shows how the load spread: uvicorn's workers share one socket, and a few
        # keep-alive connections can all land on one of them.
        out[str(pid)] = {"cpu_seconds": procfs.cpu_seconds(pid), "VmRSS": procfs.rss_kib(pid),
                         **{k: rollup.get(k) for k in _FIELDS},
                         "snapshot_Rss": snapshot.get("Rss", 0), "snapshot_Pss": snapshot.get("Pss", 0)}
    return out


def memory(s: scenarios.Settings) -> dict[str, Any]:
    items = _distinct_items(s.journeys)
    catalogs = []
    for tables in (s.tables, *s.compare_tables):
        n, ids = snapshot_ids(tables, len(items))
        journeys = relabel(s.journeys, dict(zip(items, ids, strict=True)))
        ids_file = wrkrun.write_ids(item_ids(journeys), s.workdir / f"ids-{n}.txt")
        run = dataclasses.replace(s, tables=tables, journeys=journeys, ids_file=ids_file)
        # Without the response cache unless asked: its memory is set by its own bound, not by the catalog,
        # and with it the comparison would be of how full the caches happened to get.
        with targets.skylt(tables, s.workers, s.workdir, cache_bytes=s.cache_bytes or 0) as t:
            ready = worker_memory(t.pids())
            rows = scenarios.measure(t.url, run, ingest_events=s.ingest)
            loaded = worker_memory(t.pids())
        anon = [w["Anonymous"] for w in loaded.values() if w["Anonymous"] is not None]
        catalogs.append({"tables": str(tables), "n_items": n, "rows": rows, "ready": ready, "loaded": loaded,
                         "max_anonymous_kib": max(anon) if anon else None,
                         "failed": sum(r["failed"] for r in rows)})
    sizes = [c["max_anonymous_kib"] for c in catalogs]
    known = all(v is not None for v in sizes) and len(sizes) > 1
    growth = max(sizes) - min(sizes) if known else None
    return {"catalogs": catalogs, "anonymous_growth_kib": growth, "max_growth_kib": MAX_ANON_GROWTH_KIB,
            "passed": bool(known and growth is not None and growth <= MAX_ANON_GROWTH_KIB
                           and all(c["failed"] == 0 for c in catalogs))}


def summary(result: dict[str, Any]) -> str:
    lines = []
    for c in result["catalogs"]:
        total = sum(r["count"] for r in c["rows"] if r["page"] not in ("overall", "ingest"))
        lines.append(f"{c['n_items']:>9} items: {total} requests, {c['failed']} failed")
        for pid, w in c["loaded"].items():
            busy = (w["cpu_seconds"] or 0.0) - (c["ready"].get(pid, {}).get("cpu_seconds") or 0.0)
            lines.append(f"  worker {pid} ({busy:.1f} s CPU under load): VmRSS {w['VmRSS']} KiB, "
                         f"anonymous {w['Anonymous']}, "
                         f"Private_Clean {w['Private_Clean']}, Private_Dirty {w['Private_Dirty']}, "
                         f"Shared_Clean {w['Shared_Clean']}, Pss {w['Pss']}; snapshot file Rss {w['snapshot_Rss']}")
    lines.append(f"anonymous memory growth {result['anonymous_growth_kib']} KiB (limit {result['max_growth_kib']}): "
                 + ("PASSED" if result["passed"] else "FAILED"))
    return "\n".join(lines)
