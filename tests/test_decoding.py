"""The one decoding boundary: every failure of a network body is ours, a 400 or a 422 naming the field."""

import msgspec
import pytest

from edge.decoding import convert, decode, field_of
from edge.errors import RequestError, ValidationError
from edge.schemas import RecommendRequest

_decoder = msgspec.json.Decoder(RecommendRequest)


@pytest.mark.parametrize(("body", "detail"), [
    (b"", "body is not valid JSON"), (b'{"page":', "body is not valid JSON"),
    (b'{"page":"home","price_min":NaN}', "body is not valid JSON"),
    (b'{"page":"home","user":"\xff"}', "body holds a string that is not valid UTF-8"),
    (b'{"page":"home","user":"\xed\xa0\x80"}', "body holds a string that is not valid UTF-8")])
def test_unreadable_bodies_are_400s(body, detail):
    with pytest.raises(RequestError) as raised:
        decode(_decoder, body)
    assert type(raised.value) is RequestError and raised.value.detail.startswith(detail)


def test_nesting_deeper_than_the_decoder_descends_is_a_400_not_a_recursion_error():
    deep = msgspec.json.Decoder(dict[str, object])
    with pytest.raises(RequestError, match="the payload nests arrays or objects too deeply") as raised:
        decode(deep, b'{"a":' + b"[" * 1000 + b"]" * 1000 + b"}", "the payload")
    assert isinstance(raised.value.__cause__, RecursionError)


@pytest.mark.parametrize(("body", "field"), [
    (b'{"page":"home","n":1e400}', "n"), (b'{"page":"home","price_min":1e400}', "price_min"),
    (b'{"page":"home","cart":[' + b"9" * 50 + b"]}", "cart"), (b'{"page":"home","x":1}', "x"), (b"{}", "page"),
    (b'{"page":"home","user":""}', "user")])
def test_values_that_do_not_fit_are_422s_naming_the_field(body, field):
    with pytest.raises(ValidationError) as raised:
        decode(_decoder, body)
    assert raised.value.field == field


def test_field_of_reads_msgspecs_paths():
    assert field_of("Expected `int`, got `str` - at `$.n`") == "n"
    assert field_of("Expected `str` - at `$.cart[3]`") == "cart"
    assert field_of("Object contains unknown field `x`") == "x"
    assert field_of("Object missing required field `page`") == "page"
    assert field_of("Expected `object`, got `array`") is None


def test_convert_names_the_field_of_query_values():
    with pytest.raises(ValidationError) as raised:
        convert({"page": "home", "n": "0"}, RecommendRequest)
    assert raised.value.field == "n"
