"""A few seconds of replayed traffic against a real ``skylt serve`` on the demo snapshot."""

import asyncio
import json

import pytest

from loadtests import replay, report
from loadtests.histogram import PERCENTILES, percentile_key
from loadtests.sessions import PAGES, load_journeys
from tests.conftest import free_port

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def short_journeys():
    # Journeys of at most five steps walk home, product, cart and checkout within a few requests,
    # so every page is reached however slow the machine is.
    out = [j for j in load_journeys() if len(j.steps) <= 5 and j.steps[-1].page == "checkout"]
    assert len(out) > 100
    return out


def test_closed_loop_reaches_every_page_without_errors(server, short_journeys, tmp_path):
    config = replay.Config(url=server.url, users=4, duration=3.0, max_requests=400)
    result = asyncio.run(replay.run(short_journeys, config))
    path = tmp_path / "out.json"
    report.write(result, path)
    saved = json.loads(path.read_text())
    assert saved["failed"] == 0, saved["errors"]
    assert 0 < saved["requests"] <= 400
    for page in PAGES:
        assert saved["pages"][page]["count"] > 0, page
    for p in PERCENTILES:
        assert saved["overall"][percentile_key(p)] > 0
    assert saved["overall"]["p50_ms"] <= saved["overall"]["p99_ms"] <= saved["overall"]["p99_9_ms"]


def test_open_loop_post_keeps_to_the_schedule(server, short_journeys):
    config = replay.Config(url=server.url, users=4, duration=1.0, rate=40.0, method="POST")
    result = asyncio.run(replay.run(short_journeys, config))
    assert result["failed"] == 0, result["errors"]
    # Never more requests than the schedule releases in the window.
    assert 0 < result["requests"] + result["unsent"] <= 41


def test_refused_connections_are_counted_as_errors(short_journeys):
    config = replay.Config(url=f"http://127.0.0.1:{free_port()}", users=2, duration=5.0, max_requests=6)
    result = asyncio.run(replay.run(short_journeys, config))
    assert result["requests"] == result["failed"] == 6
    assert result["errors"] == {"connection": 6}


def test_the_cache_counters_show_hits_for_anonymous_journeys_and_bypasses_for_customers(server, short_journeys):
    from loadtests import cachestats
    from loadtests.sessions import anonymous

    few = short_journeys[:10]  # fewer distinct URLs than requests: the second pass hits
    steps = sum(len(j.steps) for j in few)
    before = cachestats.counts(server.url)
    config = replay.Config(url=server.url, users=1, duration=20.0, max_requests=2 * steps)
    assert asyncio.run(replay.run(anonymous(few), config))["failed"] == 0
    seen = cachestats.delta(before, cachestats.counts(server.url))
    assert seen is not None and seen["bypass"] == 0
    assert seen["hit"] >= steps and seen["hit"] + seen["miss"] == 2 * steps
    assert seen["hit_rate"] == round(seen["hit"] / (2 * steps), 4)
    before = cachestats.counts(server.url)
    assert asyncio.run(replay.run(few, config))["failed"] == 0
    known = cachestats.delta(before, cachestats.counts(server.url))
    assert known == {"hit": 0, "miss": 0, "bypass": 2 * steps, "hit_rate": 0.0}
    assert cachestats.counts(f"http://127.0.0.1:{free_port()}") == {}
