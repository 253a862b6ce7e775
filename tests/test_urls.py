"""The one rule for served links (edge/urls.py), as Python applies it and as the builder's RE2 applies it."""

import pyarrow as pa
import pytest

from edge.build import parse
from edge.urls import served_url, web_url

SERVED = ["https://shop.example/p/1", "http://shop.example", "HTTPS://CDN.EXAMPLE/A.JPG", "/products/a",
          "//cdn.shopify.com/s/a.jpg", "https://shop.example/a b.jpg", "https://shop.example/ä?x=1#y"]
REFUSED = ["javascript:alert(1)", "JavaScript:alert(1)", " javascript:alert(1)", "java\tscript:alert(1)",
           "data:text/html,<script>alert(1)</script>", "vbscript:x", "file:///etc/passwd", "ftp://x/a",
           "https:///x", "https://", "https:x", "http:/x", "products/a", "a.jpg", "\x01/x", "/x\ny", "https://x\n",
           "https://x/\x7f", "\\\\evil/x", ""]


@pytest.mark.parametrize("value", SERVED)
def test_http_urls_and_site_paths_are_served(value):
    assert web_url(value) and served_url(value) == value


@pytest.mark.parametrize("value", REFUSED)
def test_other_schemes_relative_paths_and_control_characters_are_not(value):
    assert not web_url(value) and served_url(value) is None


@pytest.mark.parametrize("value", [None, 5, ["https://x"], {"src": "https://x"}])
def test_importers_drop_what_is_not_a_string(value):
    assert served_url(value) is None


def test_the_builder_applies_the_same_rule():
    """The reader trims surrounding whitespace first (as it does every text field)."""
    for value in SERVED:
        assert parse.link(pa.array([value])).to_pylist() == [value]
    for value in REFUSED:
        if value.strip() and value.strip() != value:
            continue  # trimmed to something else
        if not value:
            continue  # empty is no link
        with pytest.raises(parse.BadValue):
            parse.link(pa.array(["/fine", value]))
