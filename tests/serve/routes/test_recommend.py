import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from edge.schemas import PAGE_SLOTS, RecommendResponse
from tests.conftest import assert_problem

decode = msgspec.json.Decoder(RecommendResponse).decode


@pytest.fixture(scope="module")
def ids(demo_snapshot):
    """Real item ids of the demo shop: its bestsellers, best first."""
    items, _ = demo_snapshot.ranking("bestsellers", 0)
    return [demo_snapshot.external_id(int(i)) for i in items[:20]]


@pytest.mark.parametrize("page", list(PAGE_SLOTS))
def test_every_page_fills_its_slots(app_client, ids, page):
    r = app_client.get("/v1/recommend", params={"page": page, "item": ids[0], "cart": ",".join(ids[1:3]),
                                                "history": ",".join(ids[3:8])})
    assert r.status_code == 200
    body = decode(r.content)  # the bytes match the documented Structs exactly
    assert body.page == page
    assert [s.slot for s in body.slots] == list(PAGE_SLOTS[page])
    for slot in body.slots:
        assert slot.title
        assert 0 < len(slot.items) <= 8, slot.slot
        for item in slot.items:
            assert item.reason and item.title and item.currency == "GBP"


def test_get_and_post_agree(app_client, ids):
    query = {"page": "product", "item": ids[0], "history": ",".join(ids[1:4]), "n": "5"}
    got = app_client.get("/v1/recommend", params=query)
    posted = app_client.post("/v1/recommend", json={"page": "product", "item": ids[0], "history": ids[1:4], "n": 5})
    assert got.status_code == posted.status_code == 200
    assert got.json() == posted.json()
    assert posted.headers["cache-control"] == "no-store"


def test_etag_and_conditional_get(app_client, ids):
    params = {"page": "product", "item": ids[0]}
    first = app_client.get("/v1/recommend", params=params)
    etag = first.headers["etag"]
    assert etag.startswith('"') and first.headers["cache-control"].startswith("public")
    again = app_client.get("/v1/recommend", params=params, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    other = app_client.get("/v1/recommend", params={"page": "product", "item": ids[1]},
                           headers={"If-None-Match": etag})
    assert other.status_code == 200 and other.headers["etag"] != etag


def test_request_id_is_stable_for_the_same_request(app_client, ids):
    params = {"page": "home", "history": ",".join(ids[:3])}
    a, b = app_client.get("/v1/recommend", params=params).json(), app_client.get("/v1/recommend", params=params).json()
    assert a["request_id"] == b["request_id"]
    c = app_client.get("/v1/recommend", params={"page": "home", "history": ",".join(ids[1:4])}).json()
    assert c["request_id"] != a["request_id"]


def test_unknown_ids_are_ignored_and_counted(app_client, ids):
    r = app_client.get("/v1/recommend", params={"page": "cart", "cart": f"{ids[0]},NOPE-1,NOPE-2",
                                                "history": "NOPE-3"})
    assert r.status_code == 200
    assert r.json()["ignored_ids"] == 3


def test_slot_subset_and_n(app_client, ids):
    r = app_client.get("/v1/recommend", params={"page": "product", "item": ids[0], "slots": "bought_together,similar",
                                                "n": "3"})
    body = r.json()
    assert [s["slot"] for s in body["slots"]] == ["similar", "bought_together"]
    assert all(len(s["items"]) == 3 for s in body["slots"])


def test_price_and_category_filters(app_client, demo_snapshot):
    category = demo_snapshot.manifest.categories[0]
    r = app_client.post("/v1/recommend", json={"page": "home", "slots": ["bestsellers"], "price_min": 2,
                                               "price_max": 5, "category": category, "n": 20})
    items = r.json()["slots"][0]["items"]
    assert items
    for item in items:
        assert 2 <= item["price"] <= 5
        index = demo_snapshot.index_of(item["id"])
        assert demo_snapshot.manifest.categories[demo_snapshot.arrays["category"][index]].startswith(category)


@pytest.mark.parametrize(("params", "status", "field"), [
    ({"page": "nowhere"}, 404, "page"),
    ({}, 422, None),
    ({"page": "home", "n": "0"}, 422, "n"),
    ({"page": "home", "n": "51"}, 422, "n"),
    ({"page": "home", "n": "many"}, 422, "n"),
    ({"page": "home", "price_min": "-1"}, 422, "price_min"),
    ({"page": "home", "slots": "similar"}, 422, "slots"),
    ({"page": "home", "slots": "made_up"}, 422, "slots"),
    ({"page": "home", "colour": "red"}, 422, "colour"),
    ({"page": "home", "history": ",".join(f"id{i}" for i in range(51))}, 422, "history"),
    ({"page": "home", "item": "x" * 129}, 422, "item"),
])
def test_bad_query_gets_a_problem_naming_the_field(app_client, params, status, field):
    assert_problem(app_client.get("/v1/recommend", params=params), status, field)


@pytest.mark.parametrize(("body", "status", "field"), [
    (b"{not json", 400, None),
    (b"[]", 422, None),
    (b'{"page": "home", "n": 1.5}', 422, "n"),
    (b'{"page": "home", "cart": "abc"}', 422, "cart"),
    (b'{"page": "home", "cart": [1, 2]}', 422, "cart"),
    (b'{"page": "home", "extra": true}', 422, "extra"),
    (b'{"page": "attic"}', 404, "page"),
])
def test_bad_body_gets_a_problem_naming_the_field(app_client, body, status, field):
    r = app_client.post("/v1/recommend", content=body, headers={"content-type": "application/json"})
    assert_problem(r, status, field)


def test_body_over_64k_is_413(app_client):
    assert_problem(app_client.post("/v1/recommend", content=b" " * 70_000), 413)


def test_unknown_route_and_method(app_client):
    assert_problem(app_client.get("/v2/recommend"), 404)
    r = app_client.put("/v1/recommend", json={"page": "home"})
    assert_problem(r, 405)
    assert "GET" in r.headers["allow"]


def test_reasons_name_the_behaviour_the_shop_actually_sent(app_client, ids):
    # The demo shop sends purchases only: co-occurrence evidence is about buying, never viewing.
    r = app_client.get("/v1/recommend", params={"page": "product", "item": ids[0], "n": "20"})
    reasons = [item["reason"] for slot in r.json()["slots"] for item in slot["items"]]
    assert any("times" in reason for reason in reasons)
    assert not any(reason.startswith("Viewed") for reason in reasons)


def test_query_strings_are_unquoted_like_forms():
    from edge.serve.codec import decode_query_string

    req = decode_query_string(b"page=home&history=A%2CB,C&category=a+b&&")
    assert (req.history, req.category) == (["A", "B", "C"], "a b")
    assert decode_query_string(b"page=product&item=%C3%A5ngest").item == "\u00e5ngest"
    # Commas first, the rest once.
    assert decode_query_string(b"page=cart&cart=A%2cB%2C%2525,%252C").cart == ["A", "B", "%25", "%2C"]


QUERY_KEYS = ["page", "item", "cart", "history", "purchased", "slots", "exclude", "n", "price_max", "category",
              "control", "x", "%70age", "hist%6Fry", "pa+ge", ""]
QUERY_VALUES = st.one_of(
    st.sampled_from(["home", "product", "cart", "checkout", "A", "A,B", "A%2CB", "A%2cB,,C", ",", "%2525", "a+b",
                     "%C3%A5", "%ZZ", "8", "99", "1e3", "similar,upsell", "bestsellers", "shop", ""]),
    st.text(alphabet="AB,%2C+=&5", max_size=12))


@settings(max_examples=400, deadline=None)
@given(pairs=st.lists(st.tuples(st.sampled_from(QUERY_KEYS), QUERY_VALUES), max_size=6),
       extra=st.sampled_from(["", "&", "&&", "=", "&x"]))
def test_the_one_pass_query_decoder_answers_as_the_plain_rules_do(pairs, extra):
    """``decode_query_string`` (every GET) gives the same request, or the same error, as the rules
    written plainly over the standard library's split (``query_oracle``)."""
    from edge.errors import SkyltError
    from edge.serve.codec import decode_query_string
    from tests.serve.routes import query_oracle

    raw = ("&".join(f"{k}={v}" for k, v in pairs) + extra).encode("latin-1")

    def outcome(decode):
        try:
            return decode(raw)
        except SkyltError as exc:
            return type(exc), str(exc), exc.field

    assert outcome(decode_query_string) == outcome(query_oracle.decode)
