"""edge.serve.servers: the metrics directories of killed servers are swept; a running server's are kept."""

from __future__ import annotations

import os
import subprocess
import sys

from edge.serve.servers import METRICS_PREFIX, sweep_metrics_dirs


def test_the_metrics_directories_of_killed_servers_are_swept(tmp_path) -> None:
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()  # its pid names a server that no longer runs
    dead = tmp_path / f"{METRICS_PREFIX}{gone.pid}-abc"
    alive = tmp_path / f"{METRICS_PREFIX}{os.getpid()}-def"
    other = tmp_path / f"{METRICS_PREFIX}notapid"
    for path in (dead, alive, other):
        path.mkdir()
        (path / "1-x.counts").write_bytes(b"\0" * 8)
    sweep_metrics_dirs(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([alive.name, other.name])
