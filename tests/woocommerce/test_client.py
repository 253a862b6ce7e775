from __future__ import annotations

import httpx
import pytest

from edge.woocommerce.client import WooClient, WooCommerceError
from tests.woocommerce.fake_shop import KEY, SECRET, Shop, product, serve


def catalog(n: int = 230) -> list[dict]:
    return [product(i, f"Thing {i}", sku=f"T-{i}") for i in range(1, n + 1)]


def test_pages_follow_total_pages_with_basic_auth_and_retry_a_500() -> None:
    shop = Shop(catalog(), [], failures={("products", 3): [500]})
    slept: list[float] = []
    with serve(shop) as url, WooClient(url, KEY, SECRET, sleep=slept.append) as client:
        records = client.all("products")
    assert [r["id"] for r in records] == list(range(1, 231))
    pages = [(q["page"], q["per_page"]) for path, q, _ in shop.requests]
    assert pages == [(["1"], ["100"]), (["2"], ["100"]), (["3"], ["100"]), (["3"], ["100"])]
    assert all(auth and auth.startswith("Basic ") for _, _, auth in shop.requests)
    assert not any("consumer_secret" in q for _, q, _ in shop.requests)
    assert slept == [1.0]  # no Retry-After on the 500: our own schedule


def test_a_429_waits_as_the_shop_asks() -> None:
    shop = Shop(catalog(5), [], failures={("products", 1): [429]})
    slept: list[float] = []
    with serve(shop) as url, WooClient(url, KEY, SECRET, sleep=slept.append) as client:
        assert len(client.all("products")) == 5
    assert slept == [2.0]
    assert len(shop.requests) == 2


def test_query_string_auth_sends_no_header() -> None:
    shop = Shop(catalog(3), [])
    with serve(shop) as url, WooClient(url, KEY, SECRET, auth="query", sleep=lambda _s: None) as client:
        assert len(client.all("products")) == 3
    (_, query, auth), = shop.requests
    assert auth is None
    assert query["consumer_key"] == [KEY] and query["consumer_secret"] == [SECRET]


def test_wrong_secret_is_one_clear_error_without_retries() -> None:
    shop = Shop(catalog(3), [])
    with serve(shop) as url, WooClient(url, KEY, "cs_wrong", sleep=lambda _s: None) as client, \
            pytest.raises(WooCommerceError) as err:
        client.all("products")
    assert "HTTP 401" in str(err.value) and "woocommerce_rest_cannot_view" in str(err.value)
    assert "/wp-json/wc/v3/products" in str(err.value)
    assert len(shop.requests) == 1


def test_gives_up_after_the_last_retry_with_doubling_waits() -> None:
    shop = Shop(catalog(3), [], failures={("products", 1): [503] * 10})
    slept: list[float] = []
    with serve(shop) as url, WooClient(url, KEY, SECRET, retries=3, sleep=slept.append) as client, \
            pytest.raises(WooCommerceError, match=r"HTTP 503.*gave up after 4 tries"):
        client.all("products")
    assert slept == [1.0, 2.0, 4.0]


def test_transport_errors_are_retried() -> None:
    calls = []

    def flaky(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        if len(calls) == 1:
            raise httpx.ConnectError("connection refused", request=request)
        return httpx.Response(200, json=[{"id": 1}], headers={"X-WP-TotalPages": "1"})

    slept: list[float] = []
    with WooClient("https://shop.example", KEY, SECRET, sleep=slept.append,
                   transport=httpx.MockTransport(flaky)) as client:
        assert client.all("orders") == [{"id": 1}]
    assert len(calls) == 2 and slept == [1.0]
    assert str(calls[1].url).startswith("https://shop.example/wp-json/wc/v3/orders?")


def test_an_unreachable_shop_fails_after_retries() -> None:
    from tests.conftest import free_port

    slept: list[float] = []
    with WooClient(f"http://127.0.0.1:{free_port()}", KEY, SECRET, retries=2, sleep=slept.append) as client, \
            pytest.raises(WooCommerceError, match=r"ConnectError.*gave up after 3 tries"):
        client.all("products")
    assert slept == [1.0, 2.0]


@pytest.mark.parametrize("url", ["http://shop.example", "ftp://shop.example", "shop.example"])
def test_refuses_addresses_that_would_leak_the_secret_or_are_not_shops(url: str) -> None:
    with pytest.raises(WooCommerceError):
        WooClient(url, KEY, SECRET)


def test_missing_credentials() -> None:
    with pytest.raises(WooCommerceError, match="consumer key"):
        WooClient("https://shop.example", "", SECRET)


def test_a_redirect_names_the_new_address() -> None:
    def moved(request: httpx.Request) -> httpx.Response:
        return httpx.Response(301, headers={"Location": "https://www.shop.example/wp-json/wc/v3/products?page=1"})

    with WooClient("https://shop.example", KEY, SECRET, transport=httpx.MockTransport(moved)) as client, \
            pytest.raises(WooCommerceError, match=r"HTTP 301: the shop moved to https://www.shop.example; use"):
        client.all("products")
