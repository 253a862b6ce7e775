"""Run the app under uvicorn or granian, the same way.

Both load ``edge.serve.app:create_app`` in every worker, run its lifespan before the worker takes
a request (a lifespan that fails stops the server), serve HTTP/1.1 on loop ``auto`` (uvloop
where installed), stop on SIGTERM or SIGINT by refusing new connections and finishing the
requests in flight (for at most GRACE_SECONDS; then a worker is stopped however busy or stuck,
as a granian worker that got the signal during its warm-up would be for ever), and restart
their workers on SIGHUP. Everything else a response carries
(ETags, CORS, problems, body limits) is the app's, so it is the same on both; each server
names itself in the ``server`` header and decides when a connection closes.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from edge.errors import SkyltError
from edge.serve.metrics import METRICS_DIR_ENV

SERVERS = ("uvicorn", "granian")
METRICS_PREFIX = "skylt-metrics-"  # then the pid of the server that made it
APP = "edge.serve.app:create_app"
GRACE_SECONDS = 20  # a request takes milliseconds; under the usual 30 s an orchestrator allows before SIGKILL


def check_server(name: str) -> str:
    if name not in SERVERS:
        raise SkyltError(f"setting server: {name!r} is not one of {', '.join(SERVERS)}")
    return name


def run(server: str, host: str, port: int, workers: int, access_log: bool) -> None:
    """Serve until stopped. Workers are separate processes: whatever they need arrives through the environment."""
    check_server(server)
    sweep_metrics_dirs(Path(tempfile.gettempdir()))
    # A private directory per server, new and empty (mode 0700): no other user reads or plants counters.
    metrics_dir = tempfile.mkdtemp(prefix=f"{METRICS_PREFIX}{os.getpid()}-")
    os.environ[METRICS_DIR_ENV] = metrics_dir
    try:
        if server == "granian":
            _granian(host, port, workers, access_log)
        else:
            _uvicorn(host, port, workers, access_log)
    finally:
        shutil.rmtree(metrics_dir, ignore_errors=True)


def sweep_metrics_dirs(parent: Path) -> None:
    """Remove the metrics directories of this user's servers that are gone (killed before they could)."""
    for path in parent.glob(f"{METRICS_PREFIX}*"):
        pid = path.name.removeprefix(METRICS_PREFIX).split("-")[0]
        try:
            if not pid.isdigit() or path.stat().st_uid != os.getuid() or _running(int(pid)):
                continue
        except OSError:
            continue
        shutil.rmtree(path, ignore_errors=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _uvicorn(host: str, port: int, workers: int, access_log: bool) -> None:
    import uvicorn

    uvicorn.run(APP, factory=True, host=host, port=port, workers=workers, access_log=access_log,
                log_level="info", loop="auto", http="auto", lifespan="on", timeout_graceful_shutdown=GRACE_SECONDS)


def _granian(host: str, port: int, workers: int, access_log: bool) -> None:
    from granian.constants import HTTPModes, Interfaces, Loops
    from granian.log import LogLevels
    from granian.server import Server

    Server(APP, address=host, port=port, interface=Interfaces.ASGI, factory=True, workers=workers,
           http=HTTPModes.http1, loop=Loops.auto, websockets=False, log_access=access_log,
           log_level=LogLevels.info, working_dir=Path.cwd(), workers_kill_timeout=GRACE_SECONDS).serve()
