"""Debian's nginx in front of test servers: its own config with a free port on 127.0.0.1, pid, logs and temp files
in a temp dir, ``daemon off``, started and stopped by the test. Each answer names the upstream that served it
(``X-Upstream``)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import httpx

from tests.conftest import free_port
from tests.requires import missing
from tests.waiting import wait_until

CONFIG = """
daemon off;
{user}
worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 512; }}
http {{
    access_log off;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    upstream skylt {{
{servers}
        keepalive 16;
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://skylt;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_next_upstream error timeout;
            add_header X-Upstream $upstream_addr always;
        }}
    }}
}}
"""


class Nginx:
    def __init__(self, directory: Path, upstreams: list[str]) -> None:
        binary = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.path.exists(p)), None)
        if binary is None:
            missing("nginx", "apt-get install nginx-light, or run scripts/install-test-deps")
        directory.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.dir = directory
        servers = "\n".join(f"        server {u.removeprefix('http://')} max_fails=0;" for u in upstreams)
        # As root, workers would switch to an unprivileged user that cannot enter the test's private temp dir.
        user = "user root;" if os.geteuid() == 0 else ""
        conf = directory / "nginx.conf"
        conf.write_text(CONFIG.format(dir=directory, servers=servers, port=self.port, user=user))
        self._log = open(directory / "stderr.log", "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen([binary, "-p", str(directory), "-e", str(directory / "error.log"),
                                      "-c", str(conf)], stdout=self._log, stderr=subprocess.STDOUT)

    def wait_ready(self, timeout: float = 30.0) -> None:
        def ready() -> bool:
            if self.proc.poll() is not None:
                raise RuntimeError(f"nginx exited: {(self.dir / 'stderr.log').read_text()}"
                                   f"{(self.dir / 'error.log').read_text()}")
            try:
                return httpx.get(f"{self.url}/readyz", timeout=1.0).status_code == 200
            except httpx.TransportError:
                return False

        wait_until(ready, timeout, what="nginx ready")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()
