from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from click.testing import CliRunner

from edge.build.readers import read_catalog, read_events
from edge.cli import main
from edge.woocommerce.client import WooClient, WooCommerceError
from edge.woocommerce.import_ import customer_id, fetch_and_write
from tests.conftest import built_and_served
from tests.woocommerce.fake_shop import KEY, SECRET, Shop, order, product, sample_shop, serve

SALT = "test-salt"
# PHP: substr(hash_hmac('sha256', 'user:7', 'test-salt'), 0, 32), as the WordPress plugin computes it
PLUGIN_USER_7 = "63dfd05b15fd7bd15d13ecbe28e1925f"
PLUGIN_GUEST_ADA = "75fec7d1becf1bfe9da24a83583e2468"  # ... 'email:ada@example.com'


def test_customer_ids_equal_the_plugins() -> None:
    assert customer_id("user", "7", SALT) == PLUGIN_USER_7
    assert customer_id("email", "  Ada@Example.COM ", SALT) == PLUGIN_GUEST_ADA
    assert customer_id("user", "0", SALT) is None and customer_id("email", "", SALT) is None


def run_import(shop: Shop, out: Path) -> object:
    with serve(shop) as url, WooClient(url, KEY, SECRET, sleep=lambda _s: None) as client:
        return fetch_and_write(client, out, customer_key=SALT)


def test_products_and_orders_become_catalog_and_purchases(tmp_path: Path) -> None:
    shop = sample_shop()
    summary = run_import(shop, tmp_path)
    catalog = {row["item_id"]: row for row in read_catalog(tmp_path / "catalog.csv").to_pylist()}
    assert len(catalog) == 230
    cup = catalog["CUP-1"]
    assert (cup["title"], cup["price"], cup["currency"], cup["category"], cup["in_stock"]) == \
        ("Espresso Cup", 19.9, "SEK", "Mugs", True)
    assert (cup["rating"], cup["review_count"]) == (4.5, 12)
    assert cup["url"] == "https://shop.example/product/espresso-cup/"
    assert cup["image"] == "https://shop.example/wp-content/uploads/1.jpg"
    assert cup["created_at"] == 1704445200  # 2024-01-05T09:00:00Z
    assert catalog["2"]["in_stock"] is False          # no SKU: the post ID; out of stock
    assert catalog["GRIND"]["in_stock"] is True       # on backorder can still be bought
    assert catalog["DRAFT"]["in_stock"] is False      # drafts are not for sale
    assert catalog["TEA-SET"]["title"] == "Tea & Honey Set"
    assert catalog["F-7"]["rating"] is None

    events = read_events(tmp_path / "events.csv.gz").to_pylist()
    orders = {e["order_id"] for e in events}
    assert orders == {str(1000 + n) for n in range(12)} | {"2003"}  # pending and cancelled left out
    assert summary.orders == 13 and summary.events == len(events) == 12 * 2 + 4 + 1
    assert summary.skipped_lines == {"product no longer in the shop": 2}
    grinder = [e for e in events if e["order_id"] == "1000" and e["price"] == 89.0]
    assert grinder and grinder[0]["item_id"] == "GRIND"  # a variation counts as its product
    first = [e for e in events if e["order_id"] == "1000"]
    assert {e["user_id"] for e in first} == {PLUGIN_USER_7}
    assert first[0]["ts"] == 1709287500 and first[0]["region"] == "SE" and first[0]["quantity"] == 2
    guest = [e for e in events if e["order_id"] == "2003"]
    assert guest[0]["user_id"] == PLUGIN_GUEST_ADA and guest[0]["item_id"] == "2"
    assert guest[0]["ts"] == 1711958400  # not paid: the creation time
    with gzip.open(tmp_path / "events.csv.gz", "rt") as fh:
        text = fh.read()
    assert "example.com" not in text.lower()  # no e-mail address leaves the shop
    # Only purchase statuses were asked for.
    order_queries = [q for path, q, _ in shop.requests if path.endswith("/orders")]
    assert order_queries and all(q["status"] == ["processing,completed"] for q in order_queries)


def test_a_shop_without_orders_still_gets_a_catalog(tmp_path: Path) -> None:
    summary = run_import(Shop([product(1, "Mug", sku="M")], [order(1, "pending", [])]), tmp_path)
    assert summary.paths == [tmp_path / "catalog.csv"]
    assert read_catalog(tmp_path / "catalog.csv")["item_id"].to_pylist() == ["M"]


def test_cli_import_then_build_then_recommend(tmp_path: Path) -> None:
    shop = sample_shop()
    data, tables = tmp_path / "data", tmp_path / "tables"
    with serve(shop) as url:
        result = CliRunner().invoke(main, ["woocommerce", "import", "--url", url, "--key", KEY, "--secret", SECRET,
                                           "--out", str(data), "--customer-key", SALT])
    assert result.exit_code == 0, result.output
    assert "230 products, 13 orders, 29 purchase events" in result.output
    assert "skipped 2 order lines: product no longer in the shop" in result.output
    with built_and_served(data, tables) as client:
        body = client.get("/v1/recommend", params={"page": "product", "item": "CUP-1"}).json()
        alone = client.get("/v1/recommend", params={"page": "product", "item": "CUP-1",
                                                    "slots": "bought_together"}).json()
    together = alone["slots"][0]["items"]
    assert [i["id"] for i in together[:2]] == ["SAUCER", "GRIND"]
    assert (together[0]["title"], together[0]["currency"]) == ("Saucer", "SEK")
    assert together[0]["reason"] == "Bought together 12 times"
    shown = {i["id"] for slot in body["slots"] for i in slot["items"]}
    assert "SAUCER" in shown
    assert not shown & {"2", "DRAFT", "CUP-1"}  # out of stock, draft, the item itself


def test_cli_bad_secret_is_one_line(tmp_path: Path) -> None:
    with serve(sample_shop()) as url:
        result = CliRunner().invoke(main, ["woocommerce", "import", "--url", url, "--key", KEY, "--secret", "cs_x",
                                           "--out", str(tmp_path)])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("skylt: error: ") and "HTTP 401" in lines[0]
    assert "cs_x" not in lines[0]
    assert not any(tmp_path.iterdir())


def test_records_not_shaped_like_woocommerces_are_refused(tmp_path: Path) -> None:
    with pytest.raises(WooCommerceError, match=r"/products: expected objects with an integer id"):
        run_import(Shop([{"name": "no id"}], []), tmp_path)


def test_links_that_may_not_be_served_are_dropped_at_import() -> None:
    from edge.woocommerce.import_ import catalog_rows

    products = [product(1, "Apron"), product(2, "Mug")]
    products[0].update(permalink="javascript:alert(1)", images=[{"src": "https://shop.example/a.jpg"}])
    products[1].update(permalink="https://shop.example/mug", images=[{"src": "data:image/png;base64,AA"}])
    rows = catalog_rows(products, "SEK")
    assert [(r["url"], r["image"]) for r in rows] == [(None, "https://shop.example/a.jpg"),
                                                      ("https://shop.example/mug", None)]
