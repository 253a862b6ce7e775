"""The memory scenario's pieces: id relabelling and the /proc memory readings."""

import mmap
import os
import subprocess
import sys
import time

from loadtests import memory, procfs
from loadtests.sessions import Journey, Step


def _journey() -> Journey:
    return Journey("s1", (Step("home", ()), Step("product", (("item", "A"), ("history", "B,A"), ("user", "u"))),
                          Step("checkout", (("cart", "A,C"),), ((2, "A"), (2, "C")))))


def test_relabel_maps_every_id_and_keeps_lists_distinct():
    j = _journey()
    assert memory._distinct_items([j]) == ["A", "B", "C"]
    (out,) = memory.relabel([j], {"A": "x1", "B": "x2", "C": "x1"})
    assert out.key == "s1" and [s.page for s in out.steps] == ["home", "product", "checkout"]
    assert out.steps[1].params == (("item", "x1"), ("history", "x2,x1"), ("user", "u"))
    assert out.steps[2].params == (("cart", "x1"),)  # A and C became one id: listed once
    assert out.steps[2].events == ((2, "x1"), (2, "x1"))


def test_snapshot_ids_come_from_the_served_catalog(demo_snapshot, demo_tables):
    n, ids = memory.snapshot_ids(demo_tables, 50)
    assert n == demo_snapshot.n_items
    assert len(set(ids)) == 50
    known, unknown = demo_snapshot.lookup(ids)
    assert unknown == 0 and len(known) == 50


def test_mapped_file_pages_are_counted_for_the_mapping_only(tmp_path):
    path = tmp_path / "data.mdb"
    path.write_bytes(b"\1" * (4 << 20))
    idle = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])  # not a wait: the observed process
    try:
        with open(path, "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as m:
            assert sum(m[i] for i in range(0, len(m), 4096)) == 1024  # touch every page
            mine = procfs.mapped_kib(os.getpid(), str(path))  # this file only (other tests map snapshots)
            assert mine["Rss"] == 4096 and mine.get("Anonymous", 0) == 0
            workers = memory.worker_memory([os.getpid(), idle.pid])
            assert list(workers) == [str(os.getpid())]  # the idle child maps no snapshot: not a worker
            assert workers[str(os.getpid())]["snapshot_Rss"] >= 4096
        assert procfs.mapped_kib(os.getpid(), str(path)) == {}
    finally:
        idle.kill()
        idle.wait()


def test_rollup_filesystem_and_cpu_time(tmp_path):
    rollup = procfs.smaps_rollup(os.getpid())
    assert rollup["Rss"] >= rollup["Anonymous"] > 0
    assert rollup["Rss"] == rollup["Private_Clean"] + rollup["Private_Dirty"] + rollup["Shared_Clean"] \
        + rollup["Shared_Dirty"]
    assert procfs.filesystem(tmp_path) != "unknown"
    assert procfs.filesystem(tmp_path / "missing") == procfs.filesystem(tmp_path)
    before = procfs.cpu_seconds(os.getpid())
    end = time.process_time() + 0.1
    while time.process_time() < end:
        pass
    assert procfs.cpu_seconds(os.getpid()) >= before + 0.05
