"""`skylt demo` serves the shop with event ingest on; a plain server does not mount the shop."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from edge.cli import DEMO_INGEST_KEY
from edge.config import Settings
from edge.errors import SkyltError
from tests.conftest import free_port
from tests.waiting import wait_until


def test_skylt_demo_serves_the_shop_and_accepts_its_events(tmp_path: Path, demo_tables: Path) -> None:
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "tables").symlink_to(demo_tables)  # already built: the demo serves it as it is
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SKYLT_")}
    proc = subprocess.Popen([sys.executable, "-m", "edge", "demo", "--out", str(tmp_path / "out"), "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env={**env, "COLUMNS": "200"},
                            cwd=tmp_path)
    base = f"http://127.0.0.1:{port}"
    try:
        def ready() -> bool:
            assert proc.poll() is None, "demo exited"
            try:
                return httpx.get(f"{base}/readyz", timeout=1).status_code == 200
            except httpx.TransportError:
                return False

        wait_until(ready, 120, what="the demo up")
        shop = httpx.get(f"{base}/storefront/", timeout=5)
        assert shop.status_code == 200 and "<skylt-slot" in shop.text and DEMO_INGEST_KEY in shop.text
        assert httpx.get(f"{base}/storefront/skylt.js", timeout=5).text.startswith("/*! Skylt")
        sent = httpx.post(f"{base}/v1/events", timeout=5,
                          headers={"Content-Type": "text/plain", "X-Skylt-Key": DEMO_INGEST_KEY},
                          content=b'{"events": [{"type": "view", "item": "85123A", "session": "s"}]}')
        assert sent.json()["accepted"] == 1
        assert list((tmp_path / "out" / "events").glob("events-*.jsonl"))
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=15)
    assert f"{base}/storefront/" in out.decode()


def test_a_plain_server_has_no_shop(app_client: Any) -> None:
    assert app_client.get("/storefront/").status_code == 404


@pytest.mark.parametrize(("given", "expected"), [("true", True), ("1", True), ("off", False), ("false", False)])
def test_the_storefront_setting_reads_true_and_false(given: str, expected: bool) -> None:
    assert Settings.load(storefront=given).storefront is expected


def test_the_storefront_setting_refuses_other_words() -> None:
    with pytest.raises(SkyltError, match="storefront"):
        Settings.load(storefront="maybe")
