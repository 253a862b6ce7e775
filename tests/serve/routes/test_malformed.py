"""No request input produces a 500: random queries and bodies against every endpoint."""

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import assert_problem

FIELDS = ["page", "item", "cart", "history", "purchased", "user", "region", "segment", "slots", "n", "price_min",
          "price_max", "category", "exclude", "free_shipping_gap", "x"]
text = st.text(max_size=40)
values = st.one_of(text, st.integers(-10**12, 10**12).map(str), st.floats(allow_nan=True).map(str),
                   st.sampled_from(["home", "product", "cart", "checkout", ",", ",,a,", "NaN", "inf", "-0", "1e309"]))
json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | text,
                           lambda inner: st.lists(inner, max_size=5) | st.dictionaries(text, inner, max_size=5),
                           max_leaves=20)
SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def check(response):
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert_problem(response, response.status_code)


@SETTINGS
@given(params=st.lists(st.tuples(st.sampled_from(FIELDS), values), max_size=8))
def test_random_queries(app_client, params):
    check(app_client.get("/v1/recommend", params=params))


@SETTINGS
@given(body=st.dictionaries(st.sampled_from(FIELDS), json_values, max_size=8))
def test_random_json_bodies(app_client, body):
    check(app_client.post("/v1/recommend", content=json.dumps(body, allow_nan=True)))


@SETTINGS
@given(raw=st.binary(max_size=300))
def test_random_bytes(app_client, raw):
    check(app_client.post("/v1/recommend", content=raw))


@SETTINGS
@given(path=st.text(alphabet="abcdefghijklmnopqrstuvwxyz/._-%0123456789", max_size=30),
       method=st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]))
def test_random_routes(app_client, path, method):
    check(app_client.request(method, "/" + path))
