"""A `skylt notify` killed between recording its intent and marking the send never makes a second message."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time

from edge.notify.state import INTENT, SENT
from tests.notify.conftest import FakeService, Shop
from tests.notify.test_klaviyo import _keys, left_cart


def notify_process(shop: Shop, now: float) -> subprocess.Popen[bytes]:
    env = {**os.environ, **{f"SKYLT_{k.upper()}": v for k, v in shop.env.items()}}
    return subprocess.Popen([sys.executable, "-m", "edge", "notify", "--now", str(now)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def test_a_run_killed_between_intent_and_mark_is_kept_once_and_never_sent_again(shop: Shop, klaviyo: FakeService):
    now = left_cart(shop, "cust-crash")
    [key] = _keys(shop)
    klaviyo.hold = arrived = threading.Event()
    proc = notify_process(shop, now)
    try:
        assert arrived.wait(60), "the event never reached the stand-in"  # on the wire, unanswered
    finally:
        proc.kill()
        proc.communicate(timeout=30)
    assert shop.store().status(f"{key}:klaviyo") == INTENT  # recorded before it left, never marked
    klaviyo.release.set()

    rerun = notify_process(shop, now + 60)
    out, _ = rerun.communicate(timeout=120)
    assert rerun.returncode == 0, out.decode()
    assert len(klaviyo.received) == 2  # sent again after the crash ...
    first, second = (got.json()["data"]["attributes"] for got in klaviyo.received)
    assert first == second  # ... as the same event, unique_id included ...
    assert len(klaviyo.kept()) == 1  # ... which Klaviyo keeps once
    assert shop.store().status(f"{key}:klaviyo") == SENT

    assert shop.notify(now + 120).sent == 0
    assert len(klaviyo.received) == 2  # a run after the mark sends nothing at all


def test_a_run_that_finished_is_never_repeated_by_the_next(shop: Shop, klaviyo: FakeService):
    now = left_cart(shop, "cust-done")
    proc = notify_process(shop, now)
    out, _ = proc.communicate(timeout=120)
    assert proc.returncode == 0 and b"1 sent" in out, out.decode()
    again = notify_process(shop, now + 30)
    out, _ = again.communicate(timeout=120)
    assert again.returncode == 0 and b"0 sent" in out, out.decode()
    assert len(klaviyo.received) == 1
    assert time.time() >= now


def test_a_second_run_while_one_is_sending_sends_nothing(shop: Shop, klaviyo: FakeService):
    import pytest

    from edge.errors import SkyltError
    from edge.notify.lock import one_run

    now = left_cart(shop, "cust-twice")
    with one_run(shop.settings()), pytest.raises(SkyltError, match="another `skylt notify` is running"):
        shop.notify(now)
    assert klaviyo.received == []
    assert shop.notify(now, dry_run=True).results  # a dry run only reads: it may look meanwhile
    assert shop.notify(now).sent == 1
