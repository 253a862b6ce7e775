"""Merchandising rules against a real server with two workers: every worker serves a new rule set within a
second of the PUT."""

import time

import httpx
import pytest

from tests.conftest import Server

pytestmark = pytest.mark.slow

ADMIN = {"Authorization": "Bearer e2e-admin-key-0001"}
HOME = {"page": "home", "slots": "bestsellers", "n": "5"}
STREAK = 60  # fresh connections in a row; over two workers, all on one worker has a chance of 2 ** -59


def first(url: str) -> tuple[str, str]:
    # A fresh connection per request, so the kernel spreads them over both workers.
    r = httpx.get(f"{url}/v1/recommend", params=HOME, timeout=10)
    assert r.status_code == 200, r.text
    item = r.json()["slots"][0]["items"][0]
    return item["id"], item["reason"]


def served_everywhere(url: str, want: tuple[str, str], written: float, deadline: float) -> float:
    """Seconds from ``written`` to the first answer of a streak of STREAK answers that all show ``want``."""
    streak_from, streak = None, 0
    while time.monotonic() < deadline:
        got = first(url)
        now = time.monotonic()
        if got != want:
            streak_from, streak = None, 0
            continue
        streak_from = streak_from or now
        streak += 1
        if streak >= STREAK:
            return streak_from - written
    raise AssertionError(f"not every worker serves {want} after {deadline - written:.1f} s")


def test_a_rule_set_reaches_every_worker_within_a_second(demo_tables, tmp_path):
    srv = Server(demo_tables, workers=2, env={"SKYLT_ADMIN_KEYS": "e2e-admin-key-0001",
                                              "SKYLT_CATALOG_OVERLAY": str(tmp_path / "overlay"),
                                              "SKYLT_RESPONSE_CACHE_BYTES": str(1 << 20)})
    try:
        srv.wait_ready()
        r = httpx.get(f"{srv.url}/v1/recommend", params={**HOME, "n": "20"}, timeout=10)
        items = [i["id"] for i in r.json()["slots"][0]["items"]]
        for _ in range(10):
            assert first(srv.url) == (items[0], first(srv.url)[1])  # both workers agree (and cached the answer)
        for generation, item in enumerate((items[12], items[17]), start=1):
            rule = {"kind": "pin", "id": "hero", "page": "home", "slot": "bestsellers", "item": item, "position": 1}
            r = httpx.put(f"{srv.url}/v1/rules", json={"rules": [rule]}, headers=ADMIN, timeout=10)
            written = time.monotonic()
            assert r.status_code == 200, r.text
            assert r.json() == {"generation": generation, "rules": 1}
            assert served_everywhere(srv.url, (item, "Picked by the shop"), written, written + 10) < 1.0
        listed = [httpx.get(f"{srv.url}/v1/rules", headers=ADMIN, timeout=10).json() for _ in range(10)]
        assert all(got["generation"] == 2 and got["rules"][0]["item"] == items[17] for got in listed)
    finally:
        srv.stop()
