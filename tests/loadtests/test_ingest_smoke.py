"""Replayed pages post their events, and the ingest flood is counted against the log it wrote."""

import asyncio
import dataclasses

import pytest

from edge.events.segments import lines, segments
from loadtests import ingest, replay
from loadtests.sessions import journey, load_journeys
from tests.conftest import Server

pytestmark = pytest.mark.slow
KEY = "smoke-ingest-key"


def test_page_events_name_the_session_and_give_purchases_an_order():
    j = journey("s1", [(0, "A"), (1, "A"), (2, "A")], user="u1", region="north")
    product, checkout = j.steps[1], j.steps[-1]
    assert ingest.step_events(j, j.steps[0]) == []  # the home page produced nothing
    assert ingest.step_events(j, product) == [
        {"type": "view", "item": "A", "session": "s1", "user": "u1", "region": "north"},
        {"type": "cart", "item": "A", "session": "s1", "user": "u1", "region": "north"}]
    assert ingest.step_events(j, checkout) == [
        {"type": "purchase", "item": "A", "session": "s1", "user": "u1", "region": "north", "order": "s1"}]


def test_batches_cut_every_event_once():
    js = [journey("s1", [(0, "A"), (0, "B")]), journey("s2", [(0, "C"), (1, "C"), (2, "C")])]
    out = ingest.batches(js, 2)
    assert [len(b) for b in out] == [2, 2, 1]
    assert [e["item"] for b in out for e in b] == ["A", "B", "C", "C", "C"]


@pytest.fixture(scope="module")
def demo_journeys():
    return load_journeys()


@pytest.fixture(scope="module")
def ingest_server(demo_tables, tmp_path_factory):
    # An acknowledged event is already written and fsynced, so the tests count lines while it runs.
    log = tmp_path_factory.mktemp("ingest") / "events"
    srv = Server(demo_tables, env={"SKYLT_INGEST_KEYS": KEY, "SKYLT_EVENT_LOG": str(log)})
    try:
        srv.wait_ready()
        yield srv, log
    finally:
        srv.stop()


def test_replay_with_ingest_stores_every_acknowledged_event(ingest_server, demo_journeys):
    srv, log = ingest_server
    before = ingest.count_logged(log)["lines"]
    short = [j for j in demo_journeys if len(j.steps) <= 5 and j.steps[-1].page == "checkout"]
    result = asyncio.run(replay.run(short, replay.Config(url=srv.url, users=4, duration=2.0, max_requests=200),
                                    ingest.Ingest(KEY)))
    posted = result["ingest"]
    assert result["failed"] == posted["failed"] == posted["events_rejected"] == 0, (result["errors"], posted)
    assert "ingest" not in result["pages"]  # page latencies stay pure
    assert posted["events_accepted"] > 0 and posted["latency"]["count"] == posted["requests"] > 0
    logged = list(lines(segments(log)))[before:]
    assert len(logged) == posted["events_accepted"]
    assert {b'"type":"view"', b'"type":"purchase"'} <= {part for line in logged for part in line.split(b",")}


def test_flood_is_verified_against_the_log(ingest_server, demo_journeys):
    srv, log = ingest_server
    before = ingest.count_logged(log)["lines"]
    all_batches = ingest.batches(demo_journeys[:200], 50)
    result = asyncio.run(ingest.flood(srv.url, KEY, all_batches, clients=3, duration=1.0))
    assert result["failed"] == 0 and result["events_accepted"] > 0
    logged = ingest.count_logged(log)
    logged["lines"] -= before
    assert logged["torn"] == 0 and logged["lines"] == result["events_accepted"]
    assert ingest.verify(result, logged)
    assert not ingest.verify({**result, "events_accepted": result["events_accepted"] + 1}, logged)
    assert ingest.verify({**result, "events_accepted": logged["lines"] - 50, "events_unknown": 50}, logged)


def test_a_wrong_key_fails_every_batch_and_stores_nothing(ingest_server, demo_journeys):
    srv, log = ingest_server
    before = ingest.count_logged(log)["lines"]
    result = asyncio.run(ingest.flood(srv.url, "not-the-key", ingest.batches(demo_journeys[:20], 50),
                                      clients=1, duration=1.0))
    assert result["events_accepted"] == 0 and result["failed"] == result["requests"] > 0
    assert result["errors"] == {"http_401": result["failed"]}
    assert ingest.count_logged(log)["lines"] == before


def test_runner_ingest_and_memory_scenarios_end_to_end(demo_tables, demo_journeys, tmp_path):
    from loadtests import memory, scenarios

    journeys = [j for j in demo_journeys if len(j.steps) <= 5][:300]
    s = scenarios.Settings(tables=demo_tables, workdir=tmp_path, journeys=journeys, ids_file=tmp_path / "ids.txt",
                           duration=0.5, connections=4, batch=20, compare_tables=(demo_tables,), ingest=True)
    flood = scenarios.ingest_load(s)
    assert flood["passed"] and flood["log_matches"], flood
    assert flood["logged"]["lines"] == flood["events_accepted"] > 0 and flood["batch"] == 20
    # Every journey posts its first events on its second page: long enough that a busy box still gets there.
    mem = memory.memory(dataclasses.replace(s, duration=2.0))
    assert [c["failed"] for c in mem["catalogs"]] == [0, 0]
    for c in mem["catalogs"]:  # --ingest: the pages posted their events too, reported in a row of their own
        (posted,) = [r for r in c["rows"] if r["page"] == "ingest"]
        assert posted["count"] > 0 and posted["failed"] == posted["events_rejected"] == 0
    for c in mem["catalogs"]:
        assert c["loaded"] and all(w["Anonymous"] > 0 and w["snapshot_Rss"] > 0 for w in c["loaded"].values())
    assert mem["passed"] == (mem["anonymous_growth_kib"] <= memory.MAX_ANON_GROWTH_KIB)
