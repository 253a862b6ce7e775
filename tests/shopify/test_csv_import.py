from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from click.testing import CliRunner

from edge.build.readers import read_catalog, read_events
from edge.cli import main
from edge.shopify.csv_import import import_csv
from tests.conftest import built_and_served

FIXTURES = Path(__file__).parent / "fixtures"
PRODUCTS, ORDERS = FIXTURES / "products_export.csv", FIXTURES / "orders_export.csv"


def test_catalog_from_products_and_orders(tmp_path: Path) -> None:
    summary = import_csv(PRODUCTS, ORDERS, tmp_path, shop_url="https://shop.example/", customer_key="k")
    assert summary.paths == [tmp_path / "events.csv.gz", tmp_path / "catalog.csv"]
    assert (summary.items, summary.for_sale, summary.orders, summary.events) == (8, 4, 10, 24)
    catalog = {r["item_id"]: r for r in read_catalog(tmp_path / "catalog.csv").to_pylist()}
    tee = catalog["classic-tee"]
    assert (tee["title"], tee["price"], tee["currency"], tee["brand"]) == ("Classic Tee", 25.0, "SEK", "Nordic Basics")
    assert tee["url"] == "https://shop.example/products/classic-tee"
    assert tee["image"].endswith("/tee-black.jpg?v=1700000000")
    assert [i for i, r in catalog.items() if not r["in_stock"]] == ["milk-jug", "old-mug", "gift-card",
                                                                   "draft-poster"]
    events = read_events(tmp_path / "events.csv.gz")
    assert events.num_rows == 24
    with gzip.open(tmp_path / "events.csv.gz", "rt") as fh:
        assert "example.com" not in fh.read().lower()


def test_products_alone_give_a_catalog(tmp_path: Path) -> None:
    summary = import_csv(FIXTURES / "products_export_2024.csv", None, tmp_path, currency="EUR")
    assert summary.paths == [tmp_path / "catalog.csv"]
    rows = read_catalog(tmp_path / "catalog.csv").to_pylist()
    assert [(r["item_id"], r["price"], r["currency"], r["url"]) for r in rows] == [
        ("linen-apron", 35.0, "EUR", None), ("tea-towel", 12.0, "EUR", None)]


def test_cli_import_then_build_then_recommend(tmp_path: Path) -> None:
    data, tables = tmp_path / "data", tmp_path / "tables"
    result = CliRunner().invoke(main, ["shopify", "import", "--products", str(PRODUCTS), "--orders", str(ORDERS),
                                       "--out", str(data), "--shop-url", "https://shop.example"])
    assert result.exit_code == 0, result.output
    assert "8 products (4 for sale), 10 orders, 24 purchase events" in result.output
    assert "skipped 1 order lines: not in the product export" in result.output
    assert "skipped 1 orders: refunded" in result.output
    with built_and_served(data, tables) as client:
        together = client.get("/v1/recommend", params={"page": "product", "item": "espresso-cup",
                                                       "slots": "bought_together"}).json()
        home = client.get("/v1/recommend", params={"page": "home", "slots": "bestsellers"}).json()
    items = together["slots"][0]["items"]
    assert items[0]["id"] == "saucer" and items[0]["reason"] == "Bought together 9 times"
    assert (items[0]["title"], items[0]["url"], items[0]["currency"]) == \
        ("Saucer", "https://shop.example/products/saucer", "SEK")
    best = [i["id"] for i in home["slots"][0]["items"]]
    assert set(best) >= {"espresso-cup", "saucer", "classic-tee", "hand-grinder"}
    assert not set(best) & {"milk-jug", "old-mug", "gift-card", "draft-poster"}


def test_cli_bad_input_is_one_line_and_writes_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "orders_export.csv"
    bad.write_text(ORDERS.read_text().replace("PostNord,2024-03-01 10:15:00 +0100,2,Espresso Cup",
                                              "PostNord,yesterday,2,Espresso Cup", 1))
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["shopify", "import", "--products", str(PRODUCTS), "--orders", str(bad),
                                       "--out", str(out)])
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        f"skylt: error: {bad}: line 2: field 'Created at': cannot parse 'yesterday' as a timestamp"]
    assert not out.exists()


LIVE_CATALOG = {
    "live.csv": "item_id,url\n7001,https://shop.example/products/espresso-cup\n"
                "7002,https://shop-1.myshopify.com/products/saucer?variant=1\n7003,\n",
    # as `skylt shopify sync` writes it
    "catalog.jsonl": '{"item_id": "7001", "url": "https://shop.example/products/espresso-cup"}\n'
                     '{"item_id": "7002", "url": "https://shop-1.myshopify.com/products/saucer"}\n'
                     '{"item_id": "7003", "url": null}\n',
}


@pytest.mark.parametrize("name", sorted(LIVE_CATALOG))
def test_ids_from_a_catalog_keyed_by_product_id(tmp_path: Path, name: str) -> None:
    ids = tmp_path / name
    ids.write_text(LIVE_CATALOG[name])
    import_csv(PRODUCTS, ORDERS, tmp_path / "out", ids_catalog=ids)
    catalog = read_catalog(tmp_path / "out" / "catalog.csv")["item_id"].to_pylist()
    assert catalog[:3] == ["classic-tee", "7001", "7002"]
    events = read_events(tmp_path / "out" / "events.csv.gz")
    assert set(events["item_id"].to_pylist()) == {"7001", "7002", "classic-tee", "hand-grinder"}
