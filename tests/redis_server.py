"""A Redis server from Debian (`redis-server`, or Valkey's) for the shared-state tests: on 127.0.0.1 with a free
port and a temp dir, nothing persisted, started and stopped by the test, never a system service."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import free_port
from tests.requires import missing
from tests.waiting import wait_until


class RedisServer:
    def __init__(self, directory: Path) -> None:
        binary = shutil.which("redis-server") or shutil.which("valkey-server")
        if binary is None:
            missing("redis-server", "apt-get install redis-server, or run scripts/install-test-deps")
        directory.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.log = directory / "redis.log"
        self.proc = subprocess.Popen(
            [binary, "--bind", "127.0.0.1", "--port", str(self.port), "--dir", str(directory), "--save", "",
             "--appendonly", "no", "--daemonize", "no", "--logfile", str(self.log), "--protected-mode", "yes"],
            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        self._wait_ready()

    def _wait_ready(self, timeout: float = 10.0) -> None:
        import redis

        def answers() -> bool:
            if self.proc.poll() is not None:
                raise RuntimeError(f"redis-server exited: {self.log.read_text() if self.log.exists() else ''}")
            try:
                with redis.Redis.from_url(self.url, socket_timeout=1) as client:
                    return bool(client.ping())
            except redis.exceptions.ConnectionError:
                return False

        wait_until(answers, timeout, what="redis-server ready")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path / "redis")
    try:
        yield server
    finally:
        server.stop()
