"""/metrics on a real server with two workers (uvicorn and granian): whichever worker answers the scrape,
counters and histograms count the requests every worker served; the workers' counts live in a private
directory that goes with the server."""

from __future__ import annotations

import re
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from edge.serve.board import read
from tests.conftest import Server

pytestmark = pytest.mark.slow

BATCH = 60


def sample(text: str, name: str) -> float:
    found = re.search(rf"^{re.escape(name)} (\S+)$", text, re.MULTILINE)
    assert found, f"{name} not in /metrics"
    return float(found.group(1))


def test_two_workers_counts_add_up_in_every_scrape(demo_tables, tmp_path, http_server):
    temp = tmp_path / "tmp"
    temp.mkdir()
    # TMPDIR: where the server makes its metrics directory, so the test can look at each worker's board.
    srv = Server(demo_tables, workers=2, server=http_server,
                 env={"TMPDIR": str(temp), "SKYLT_EVENT_LOG": str(tmp_path / "events")})
    try:
        srv.wait_ready()

        def get(i: int) -> int:
            return httpx.get(f"{srv.url}/v1/recommend", params={"page": "home", "history": str(i)},
                             timeout=30).status_code

        def served_by_worker() -> list[float]:
            [directory] = temp.glob("skylt-metrics-*")
            boards = [read(index) for index in directory.glob("*.index")]
            return [values.get(("skylt_requests", "home", "200"), [0.0])[0] for values in boards]

        # A connection each, several at once: while one worker is busy the other accepts. Which worker accepts
        # is the kernel's choice (and the second may still be warming up when the first is ready), so batches
        # go on until both have answered some.
        sent = 0
        deadline = time.monotonic() + 120
        with ThreadPoolExecutor(6) as pool:
            while True:
                assert set(pool.map(get, range(sent, sent + BATCH))) == {200}
                sent += BATCH
                by_worker = served_by_worker()
                if (len(by_worker) == 2 and all(n > 0 for n in by_worker)) or time.monotonic() > deadline:
                    break
        [directory] = temp.glob("skylt-metrics-*")
        assert directory.stat().st_mode & 0o777 == 0o700
        assert len(by_worker) == 2 and all(n > 0 for n in by_worker), by_worker  # both workers answered some
        assert sum(by_worker) == sent
        for _ in range(10):  # either worker may answer the scrape: every one sees the whole server
            text = httpx.get(f"{srv.url}/metrics", timeout=30).text
            assert sample(text, 'skylt_requests_total{page="home",status="200"}') == sent
            assert sample(text, 'skylt_request_seconds_count{page="home"}') == sent
            assert sample(text, 'skylt_request_seconds_bucket{le="+Inf",page="home"}') == sent
            assert sample(text, 'skylt_slot_items_total{page="home",slot="bestsellers"}') > 0
            assert sample(text, "skylt_overlay_generation") == 0.0  # a gauge: this worker's live value
    finally:
        srv.stop()
    assert not directory.exists()  # the server's private counts go with it
