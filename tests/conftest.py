"""Shared fixtures: a snapshot built from the embedded UCI Online Retail sample, and a real
server (uvicorn and granian in turn) on 127.0.0.1 serving it."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.chromium import browser, page  # noqa: F401 - shared fixtures
from tests.waiting import wait_until

REPO = Path(__file__).resolve().parent.parent
DATASETS = REPO.parent / "shared" / "datasets"
# Secrets of the tests' servers: long enough and distinct per tier, as start-up requires.
IDENTITY_SECRET = "identity-secret-for-tests-0001"
SERVER_KEY = "server-key-for-tests-000000001"
# Every HTTP server `skylt serve --server` offers: the end-to-end suites run on each.
SERVERS = ("uvicorn", "granian")


def user_token(user: str, expiry: int = 0, secret: str = IDENTITY_SECRET) -> str:
    from edge.identity import sign

    return sign(secret, user, expiry)


def as_user(user: str, **headers: str) -> dict[str, str]:
    """Request headers that carry ``user``'s signed identity, as the snippet sends it."""
    return {"X-Skylt-User-Token": user_token(user), **headers}


@pytest.fixture(scope="session")
def demo_tables(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from edge.build.demo import demo_files
    from edge.build.pipeline import build

    events, catalog = demo_files()
    out = tmp_path_factory.mktemp("demo") / "tables"
    build(events, out, catalog_path=catalog)
    return out


@pytest.fixture(scope="session")
def demo_snapshot(demo_tables: Path) -> Iterator[object]:
    from edge.store import open_snapshot

    with open_snapshot(demo_tables) as snap:
        yield snap


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """``skylt serve`` in a child process; stops on exit. ``server``: the HTTP server, else the setting's default."""

    def __init__(self, tables: Path, workers: int = 1, env: dict[str, str] | None = None,
                 server: str | None = None) -> None:
        import os

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = tables.parent / f"server-{self.port}.log"
        # Whatever the server writes (event log, profiles, overlay) stays beside the tables, never in the checkout.
        state = tables.parent / f"server-{self.port}"
        defaults = {"SKYLT_EVENT_LOG": str(state / "events"), "SKYLT_CATALOG_OVERLAY": str(state / "overlay")}
        self._log_file = open(self.log, "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "edge", "serve", "--tables", str(tables), "--port", str(self.port),
             "--workers", str(workers), *(("--server", server) if server else ())],
            stdout=self._log_file, stderr=subprocess.STDOUT, env={**os.environ, "SKYLT_POLL_SECONDS": "0.2",
                                                                   **defaults, **(env or {})},
            start_new_session=True)  # its own process group: kill() reaches the workers too

    def pids(self) -> set[int]:
        """The server's processes: the one started and its workers (granian's run apart even with one)."""
        out = {self.proc.pid}
        with contextlib.suppress(OSError):
            for task in Path(f"/proc/{self.proc.pid}/task").iterdir():
                out.update(int(p) for p in (task / "children").read_text().split())
        return out

    def kill(self) -> None:
        """SIGKILL to every process of the server at once: no shutdown, no flush."""
        import os
        import signal

        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def wait_ready(self, timeout: float = 120.0) -> None:
        def ready() -> bool:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.log.read_text()}")
            try:
                return httpx.get(f"{self.url}/readyz", timeout=1.0).status_code == 200
            except httpx.TransportError:
                return False

        try:
            wait_until(ready, timeout)
        except TimeoutError:
            raise TimeoutError(f"server not ready in {timeout}s: {self.log.read_text()}") from None

    def stop(self) -> None:
        self.proc.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=15)
        self.kill()  # whatever is left, a worker orphaned by a killed supervisor included
        self._log_file.close()


@pytest.fixture(scope="session", params=SERVERS)
def http_server(request: pytest.FixtureRequest) -> str:
    """Each HTTP server in turn, for tests that start their own."""
    return str(request.param)


@pytest.fixture(scope="session")
def server(demo_tables: Path, http_server: str) -> Iterator[Server]:
    srv = Server(demo_tables, server=http_server)
    try:
        srv.wait_ready()
        yield srv
    finally:
        srv.stop()


@contextlib.contextmanager
def built_and_served(data: Path, tables: Path) -> Iterator[object]:
    """``skylt build`` over an importer's output (``events.csv.gz`` + ``catalog.csv`` in ``data``), then the app
    in-process on the result: the last two steps of every importer's end-to-end test."""
    from click.testing import CliRunner
    from starlette.testclient import TestClient

    from edge.cli import main
    from edge.config import Settings
    from edge.serve.app import create_app

    result = CliRunner().invoke(main, ["build", "--events", str(data / "events.csv.gz"), "--catalog",
                                       str(data / "catalog.csv"), "--out", str(tables), "--quiet"])
    assert result.exit_code == 0, result.output
    with TestClient(create_app(Settings.load(tables=str(tables), poll_seconds=3600.0, gc_freeze=False))) as client:
        yield client


@pytest.fixture(scope="session")
def app_client(demo_tables: Path) -> Iterator[object]:
    """The app in-process (lifespan included) for fast contract tests."""
    from starlette.testclient import TestClient

    from edge.config import Settings
    from edge.serve.app import create_app

    # No gc freeze: this app lives for the whole session; tests/serve/test_app.py checks a freeze from a clean state.
    app = create_app(Settings.load(tables=str(demo_tables), poll_seconds=3600.0, gc_freeze=False))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def assert_problem(response: httpx.Response, status: int, field: str | None = None) -> dict[str, object]:
    """Every error has the same shape: problem+json with type, title, status and a useful detail."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status
    assert isinstance(body["type"], str) and body["type"]
    assert isinstance(body["title"], str) and body["title"]
    assert isinstance(body["detail"], str) and len(body["detail"]) > 5
    if field is not None:
        assert body.get("field") == field, body
    return body


# Servers write their state (event log, profiles, overlay) where their settings say; a test that forgets to point
# them at a temp dir writes into the checkout. Catch that for every test at once.
_STATE_DIRS = ("events", "overlay", "profiles", "tables")
_existing_state = {name for name in _STATE_DIRS if (REPO / name).exists()}


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    stray = [name for name in _STATE_DIRS if (REPO / name).exists() and name not in _existing_state]
    if stray:
        print(f"\ntests wrote server state into the checkout: {', '.join(stray)}/")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
