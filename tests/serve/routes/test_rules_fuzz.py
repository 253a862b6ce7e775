"""No rule set, valid or not, and no request under an accepted one reaches a 500."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from edge.schemas import PAGE_SLOTS
from tests.serve.routes.conftest import overlay_client

ADMIN = {"Authorization": "Bearer admin-secret-key-0001"}
SLOTS = sorted({s for slots in PAGE_SLOTS.values() for s in slots})


@pytest.fixture(scope="module")
def client(demo_tables, tmp_path_factory) -> Iterator[TestClient]:
    with overlay_client(demo_tables, tmp_path_factory.mktemp("fuzz"), control_share=0.5) as c:
        yield c


@pytest.fixture(scope="module")
def names(demo_snapshot) -> dict[str, list[str]]:
    items, _ = demo_snapshot.ranking("bestsellers", 0)
    return {"items": [demo_snapshot.external_id(int(i)) for i in items[:30]],
            "categories": list(demo_snapshot.manifest.categories[:10])}


def rules(names: dict[str, list[str]]) -> st.SearchStrategy[list[dict[str, object]]]:
    text = st.text(max_size=8)
    number = st.one_of(st.floats(allow_nan=False, allow_infinity=False), st.integers(-10, 10**6),
                       st.sampled_from([0.5, 2, 100, 0.01]))
    rule = st.fixed_dictionaries(
        {"kind": st.sampled_from(["pin", "boost", "bury", "exclude", "pin", "other"]),
         "id": st.sampled_from(["a", "b", "c", "d", "e", "f", "g", "h"]) | text,
         "page": st.sampled_from([*PAGE_SLOTS, "blog"])},
        optional={"slot": st.sampled_from([*SLOTS, "x"]) | st.none(),
                  "item": st.sampled_from(names["items"]) | text,
                  "position": st.integers(-1, 60),
                  "category": st.sampled_from(names["categories"]) | text,
                  "brand": text, "price_min": number, "price_max": number,
                  "new_within_days": st.integers(-1, 5000), "factor": number})
    return st.lists(rule, max_size=12) | st.lists(valid_rule(names), max_size=12, unique_by=lambda r: r["id"])


def valid_rule(names: dict[str, list[str]]) -> st.SearchStrategy[dict[str, object]]:
    """Rules that pass on their own (pins may still collide): most sets of these are accepted."""
    scope = {"id": st.text("abcdefgh", min_size=1, max_size=3), "page": st.sampled_from(list(PAGE_SLOTS))}
    criterion = st.one_of(st.fixed_dictionaries({"category": st.sampled_from(names["categories"])}),
                          st.fixed_dictionaries({"brand": st.text(max_size=4).filter(bool)}),
                          st.fixed_dictionaries({"new_within_days": st.integers(1, 3650)}),
                          st.fixed_dictionaries({"price_min": st.floats(0, 20)}),
                          st.fixed_dictionaries({"price_max": st.floats(0, 20)}))
    pin = st.fixed_dictionaries({**scope, "kind": st.just("pin"), "item": st.sampled_from(names["items"]),
                                 "position": st.integers(1, 50)})
    boost = st.tuples(st.fixed_dictionaries({**scope, "kind": st.just("boost"), "factor": st.floats(1.01, 100)}),
                      criterion)
    bury = st.tuples(st.fixed_dictionaries({**scope, "kind": st.just("bury"), "factor": st.floats(0.01, 0.99)}),
                     criterion)
    exclude = st.tuples(st.fixed_dictionaries({**scope, "kind": st.just("exclude")}),
                        st.fixed_dictionaries({"category": st.sampled_from(names["categories"])})
                        | st.fixed_dictionaries({"brand": st.text(max_size=4).filter(bool)}))
    return pin | st.one_of(boost, bury, exclude).map(lambda parts: {**parts[0], **parts[1]})


def requests(names: dict[str, list[str]]) -> st.SearchStrategy[dict[str, object]]:
    item = st.sampled_from(names["items"])
    return st.fixed_dictionaries(
        {"page": st.sampled_from(list(PAGE_SLOTS))},
        optional={"item": item, "cart": st.lists(item, max_size=4), "history": st.lists(item, max_size=6),
                  "exclude": st.lists(item, max_size=6), "n": st.integers(1, 50),
                  "price_min": st.floats(0, 50), "price_max": st.floats(0, 50),
                  "category": st.sampled_from(names["categories"]), "session": st.sampled_from(["s1", "s2", "s3"])})


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_no_rule_set_and_no_request_reaches_a_500(client, names, data) -> None:
    rule_set = data.draw(rules(names))
    r = client.put("/v1/rules", json={"rules": rule_set}, headers=ADMIN)
    assert r.status_code in (200, 413, 422), r.text
    event(f"rule set answered {r.status_code}")
    if r.status_code != 200:
        assert r.headers["content-type"] == "application/problem+json"
    for _ in range(3):
        got = client.post("/v1/recommend", json=data.draw(requests(names)))
        assert got.status_code in (200, 422), got.text
        if got.status_code == 200:
            for slot in got.json()["slots"]:
                ids = [i["id"] for i in slot["items"]]
                assert len(ids) == len(set(ids))
