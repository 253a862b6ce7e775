"""The response cache on its own: bounded by bytes, least recently used out first, valid for one
(snapshot version, overlay generation) token only."""

from types import SimpleNamespace

import pytest

from edge.serve.cache import ENTRY_OVERHEAD, ResponseCache, entry, etag_matches, token

T1 = ("20260101T000000000000Z-aaaaaaaa", None)


def answer(key: bytes, body_bytes: int = 1000):
    body = b"x" * body_bytes
    headers = [(b"etag", b'"k"'), (b"cache-control", b"public"), (b"content-length", str(len(body)).encode()),
               (b"content-type", b"application/json")]
    return entry(key, "product", '"k"', body, headers, headers[:2])


def test_size_counts_key_body_headers_and_a_fixed_allowance():
    e = answer(b"page=home", 1000)
    headers = sum(len(k) + len(v) for k, v in (*e.headers, *e.not_modified))
    assert e.size == len(b"page=home") + 1000 + len('"k"') + headers + ENTRY_OVERHEAD


def test_bounded_by_bytes_and_least_recently_used_goes_first():
    one = answer(b"a").size
    cache = ResponseCache(3 * one)
    for key in (b"a", b"b", b"c"):
        assert cache.put(key, T1, answer(key))
    assert len(cache) == 3 and cache.bytes == 3 * one
    assert cache.get(b"a", T1) is not None  # now b is the least recently used
    cache.put(b"d", T1, answer(b"d"))
    assert cache.get(b"b", T1) is None
    assert [k for k in (b"a", b"c", b"d") if cache.get(k, T1) is not None] == [b"a", b"c", b"d"]
    assert cache.bytes == 3 * one <= cache.max_bytes


def test_one_large_answer_evicts_as_many_as_it_needs_and_one_over_the_bound_is_not_stored():
    small = answer(b"a", 100).size
    cache = ResponseCache(10 * small)
    for i in range(10):
        cache.put(b"%d" % i, T1, answer(b"%d" % i, 100))
    assert len(cache) == 10
    big = answer(b"big", 100 * 4)
    cache.put(b"big", T1, big)
    assert cache.bytes <= cache.max_bytes and cache.get(b"big", T1) is big
    assert cache.get(b"0", T1) is None and cache.get(b"9", T1) is not None
    assert not cache.put(b"huge", T1, answer(b"huge", 20 * small))
    assert cache.get(b"huge", T1) is None and cache.get(b"9", T1) is not None


def test_replacing_a_key_counts_it_once():
    cache = ResponseCache(1 << 20)
    cache.put(b"a", T1, answer(b"a", 100))
    cache.put(b"a", T1, answer(b"a", 300))
    assert len(cache) == 1 and cache.bytes == answer(b"a", 300).size


@pytest.mark.parametrize("other", [("20260101T000000000000Z-bbbbbbbb", None), (T1[0], 1)])
def test_another_token_empties_the_cache(other):
    cache = ResponseCache(1 << 20)
    cache.put(b"a", T1, answer(b"a"))
    assert cache.get(b"a", other) is None
    assert len(cache) == 0 and cache.bytes == 0
    assert cache.get(b"a", T1) is None  # gone for good, not hidden
    cache.put(b"b", other, answer(b"b"))
    assert cache.get(b"b", other) is not None


def test_a_put_under_a_new_token_drops_the_old_answers():
    cache = ResponseCache(1 << 20)
    cache.put(b"a", T1, answer(b"a"))
    cache.put(b"b", (T1[0], 2), answer(b"b"))
    assert len(cache) == 1 and cache.get(b"b", (T1[0], 2)) is not None


def test_zero_bytes_disables_it():
    cache = ResponseCache(0)
    assert not cache.put(b"a", T1, answer(b"a"))
    assert cache.get(b"a", T1) is None and len(cache) == 0 and cache.bytes == 0


def test_clear():
    cache = ResponseCache(1 << 20)
    cache.put(b"a", T1, answer(b"a"))
    cache.clear()
    assert len(cache) == 0 and cache.bytes == 0 and cache.get(b"a", T1) is None


def test_the_token_is_the_snapshot_version_and_its_overlay_generation():
    served = SimpleNamespace(version="v1", generation=None)
    assert token(served) == ("v1", None)  # type: ignore[arg-type]
    served.generation = 3
    assert token(served) == ("v1", 3)  # type: ignore[arg-type]


@pytest.mark.parametrize(("header", "matches"), [(None, False), ("", False), ('"k"', True), ('W/"k"', True),
                                                 ('"a", "k"', True), ("*", True), ('"a"', False), ("k", False)])
def test_etag_matches(header, matches):
    assert etag_matches(header, '"k"') is matches
