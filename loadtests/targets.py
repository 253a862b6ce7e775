"""The servers the runner compares, each a child process on 127.0.0.1 that is always stopped.

- ``skylt``: ``skylt serve`` on a tables directory, on its default server or the one named.
- ``trivial``: ``trivial_app.py`` under uvicorn with the settings ``skylt serve --server uvicorn``
  uses (workers, loop and http auto, which pick uvloop and httptools when installed).
- ``nginx``: a static JSON file, only when nginx is installed.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from loadtests import procfs

REPO = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# The CPUs every server runs on (loadtests/placement.py); empty: wherever the scheduler puts it.
SERVER_CPUS: tuple[int, ...] = ()


class Target:
    """A server child process; ``stop`` ends it and everything it started."""

    def __init__(self, name: str, argv: list[str], workdir: Path, port: int, env: dict[str, str] | None = None):
        self.name = name
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.log = workdir / f"{name}-{port}.log"
        self.event_log: Path | None = None  # skylt: the directory POST /v1/events writes
        self._log = open(self.log, "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(argv, stdout=self._log, stderr=subprocess.STDOUT, cwd=REPO,
                                     env={**os.environ, "PYTHONPATH": str(REPO), **(env or {})})
        if SERVER_CPUS:
            # Before the server has imported anything: the workers it starts later inherit the CPUs.
            os.sched_setaffinity(self.proc.pid, SERVER_CPUS)

    def wait_ready(self, timeout: float = 120.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited: {self.log.read_text(errors='replace')[-2000:]}")
            try:
                if httpx.get(f"{self.url}/readyz", timeout=1.0).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise TimeoutError(f"{self.name} not ready in {timeout:.0f} s; log: {self.log}")

    def pids(self) -> list[int]:
        return [self.proc.pid, *procfs.descendants(self.proc.pid)]

    def stop(self) -> None:
        if self.proc.poll() is None:
            # SIGTERM (SIGQUIT for nginx: graceful) to the main process; it stops its workers.
            self.proc.send_signal(signal.SIGQUIT if self.name == "nginx" else signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()

    def __enter__(self) -> Target:
        try:
            self.wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


# Ingest is on for every skylt target (a public key, 127.0.0.1 only); its state stays in the workdir.
INGEST_KEY = "skylt-load-ingest"


def skylt(tables: Path, workers: int, workdir: Path, poll_seconds: float = 1.0,
          cache_bytes: int | None = None, server: str | None = None) -> Target:
    """``cache_bytes``: the response cache per worker (``response_cache_bytes``; 0 off); None: the default.
    ``server``: ``skylt serve --server``; None: the default (setting ``server``)."""
    port = free_port()
    state = workdir / f"skylt-{port}"
    env = {"SKYLT_POLL_SECONDS": str(poll_seconds), "SKYLT_INGEST_KEYS": INGEST_KEY,
           "SKYLT_EVENT_LOG": str(state / "events"), "SKYLT_CATALOG_OVERLAY": str(state / "overlay")}
    if cache_bytes is not None:
        env["SKYLT_RESPONSE_CACHE_BYTES"] = str(cache_bytes)
    target = Target("skylt" if server is None else f"skylt-{server}",
                    [sys.executable, "-m", "edge", "serve", "--tables", str(tables), "--port", str(port),
                     "--workers", str(workers), *(("--server", server) if server else ())], workdir, port, env=env)
    target.event_log = state / "events"
    return target


def trivial(body: Path, workers: int, workdir: Path) -> Target:
    port = free_port()
    return Target("trivial", [sys.executable, "-m", "uvicorn", "loadtests.trivial_app:create_app", "--factory",
                              "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
                              "--loop", "auto", "--http", "auto", "--no-access-log", "--log-level", "info"],
                  workdir, port, env={"SKYLT_TRIVIAL_BODY": str(body)})


def nginx_binary() -> str | None:
    return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.access(p, os.X_OK)), None)


NGINX_CONF = """\
daemon off;
worker_processes {workers};
pid {dir}/nginx.pid;
error_log {dir}/nginx-error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {dir}/body-temp;
    proxy_temp_path {dir}/proxy-temp;
    keepalive_requests 10000000;
    server {{
        listen 127.0.0.1:{port};
        root {dir};
        location / {{ default_type application/json; try_files /body.json =404; }}
    }}
}}
"""


def nginx(body: Path, workers: int, workdir: Path) -> Target | None:
    """nginx serving ``body`` for every path, or None when nginx is not installed."""
    binary = nginx_binary()
    if binary is None:
        return None
    port = free_port()
    root = workdir / "nginx"
    root.mkdir(exist_ok=True)
    shutil.copyfile(body, root / "body.json")
    # Workers drop to an unprivileged user when started as root: they must be able to read the file.
    for path in (workdir, root):
        path.chmod(0o755)
    (root / "body.json").chmod(0o644)
    conf = root / "nginx.conf"
    conf.write_text(NGINX_CONF.format(workers=workers, dir=root, port=port))
    return Target("nginx", [binary, "-p", str(root), "-c", str(conf), "-e", str(root / "nginx-error.log")],
                  workdir, port)
