"""A/B buckets: deterministic, shared out by the control share, control answers bestsellers."""

import msgspec
import pytest
from starlette.testclient import TestClient

from edge.config import Settings
from edge.errors import SkyltError
from edge.schemas import PAGE_SLOTS, RecommendResponse
from edge.serve.app import create_app
from edge.serve.experiments import CONTROL, PERSONALIZED, Experiment

decode = msgspec.json.Decoder(RecommendResponse).decode


def test_buckets_are_deterministic_and_follow_the_share():
    exp = Experiment("exp-1", 0.2)
    buckets = [exp.bucket(None, f"s{i}") for i in range(20_000)]
    assert buckets == [Experiment("exp-1", 0.2).bucket(None, f"s{i}") for i in range(20_000)]
    assert 0.19 < buckets.count(CONTROL) / len(buckets) < 0.21
    # A user id wins over the session: every device of a customer is in one bucket.
    assert {exp.bucket("u7", f"s{i}") for i in range(50)} == {exp.bucket("u7", None)}
    # A new salt is a new experiment: buckets reshuffle.
    other = [Experiment("exp-2", 0.2).bucket(None, f"s{i}") for i in range(2000)]
    assert other != buckets[:2000]


def test_no_share_or_no_id_is_always_personalized():
    assert {Experiment("x", 0.0).bucket("u", "s") for _ in range(3)} == {PERSONALIZED}
    assert Experiment("x", 1.0).bucket(None, None) == PERSONALIZED
    assert Experiment("x", 1.0).bucket(None, "s") == CONTROL
    with pytest.raises(SkyltError, match="control_share"):
        Experiment("x", 1.5)


@pytest.fixture(scope="module")
def clients(demo_tables, tmp_path_factory):
    def make(share):
        overlay = tmp_path_factory.mktemp("overlay")
        return TestClient(create_app(Settings.load(tables=str(demo_tables), poll_seconds=3600.0,
                                                   control_share=share, catalog_overlay=str(overlay))))
    with make(1.0) as control, make(0.0) as personalized:
        yield control, personalized


def test_control_keeps_the_slots_and_fills_them_with_bestsellers(clients):
    control, personalized = clients
    params = {"page": "product", "item": "85123A", "session": "s1", "history": "22423"}
    held_out = decode(control.get("/v1/recommend", params=params).content)
    treated = decode(personalized.get("/v1/recommend", params=params).content)
    assert (held_out.bucket, treated.bucket) == ("control", "personalized")
    assert [s.slot for s in held_out.slots] == list(PAGE_SLOTS["product"]) == [s.slot for s in treated.slots]
    assert [s.title for s in held_out.slots] == [s.title for s in treated.slots]
    best = decode(personalized.get("/v1/recommend", params={"page": "home", "slots": "bestsellers",
                                                            "n": 50}).content).slots[0].items
    shown = [i.id for s in held_out.slots for i in s.items]
    assert shown and len(shown) == len(set(shown))
    # In bestseller order, minus the current item and history, across slots.
    assert shown == [i.id for i in best if i.id not in ("85123A", "22423")][:len(shown)]
    assert {i.id for s in treated.slots for i in s.items} != set(shown)


def test_a_control_shopper_can_keep_the_shops_own_recommendations(clients):
    control, personalized = clients
    params = {"page": "product", "item": "85123A", "session": "s1", "control": "shop"}
    held_out = control.get("/v1/recommend", params=params).json()
    assert (held_out["bucket"], held_out["slots"]) == ("control", [])
    treated = personalized.get("/v1/recommend", params=params).json()
    assert treated["bucket"] == "personalized" and [s["slot"] for s in treated["slots"]] == list(PAGE_SLOTS["product"])
    assert control.get("/v1/recommend", params={**params, "control": "mine"}).status_code == 422


def test_the_bucket_is_in_every_response_and_in_the_etag(clients):
    control, personalized = clients
    a = control.get("/v1/recommend", params={"page": "home", "session": "s1"})
    b = personalized.get("/v1/recommend", params={"page": "home", "session": "s1"})
    assert a.json()["bucket"] == "control" and b.json()["bucket"] == "personalized"
    assert a.headers["etag"] != b.headers["etag"]
    anonymous = control.get("/v1/recommend", params={"page": "home"})
    assert anonymous.json()["bucket"] == "personalized"  # nothing to follow, so never held out


def test_impressions_are_checked_and_kept_apart_from_the_builders_events(tmp_path, demo_tables):
    from edge.events.segments import IMPRESSIONS, lines, segments, stable_segments

    settings = Settings.load(tables=str(demo_tables), event_log=str(tmp_path / "events"), poll_seconds=3600.0,
                             ingest_keys="experiment-ingest-key", catalog_overlay=str(tmp_path / "overlay"))
    shown = {"type": "impression", "request_id": "r1", "slot": "for_you", "page": "home", "bucket": "control",
             "items": ["85123A", "22423"], "session": "s1"}
    with TestClient(create_app(settings)) as c:
        r = c.post("/v1/events", headers={"X-Skylt-Key": "experiment-ingest-key"}, json={"events": [
            shown, {**shown, "items": []}, {**shown, "request_id": None}, {**shown, "bucket": "treatment"},
            {**shown, "session": None}, {"type": "view", "item": "A", "session": "s", "items": ["A"]},
            {"type": "view", "item": "85123A", "session": "s1"}]})
    body = r.json()
    assert body["accepted"] == 2
    assert [(x["index"], x["field"]) for x in body["rejected"]] == \
        [(1, "items"), (2, "request_id"), (3, "bucket"), (4, "session"), (5, "items")]
    [imp] = [msgspec.json.decode(x) for x in lines(segments(tmp_path / "events", IMPRESSIONS))]
    assert imp["items"] == ["85123A", "22423"] and imp["bucket"] == "control" and imp["page"] == "home"
    view = stable_segments(tmp_path / "events", tmp_path)
    assert [msgspec.json.decode(x)["type"] for x in lines(view.paths)] == ["view"]
