from __future__ import annotations

from pathlib import Path

import pytest

from edge.errors import InputError
from edge.shopify.csv_products import read_products

FIXTURES = Path(__file__).parent / "fixtures"
CDN = "https://cdn.shopify.com/s/files/1/0612/3456/7890/files/"


def test_rows_group_into_products() -> None:
    products = read_products(FIXTURES / "products_export.csv")
    assert list(products.items) == ["classic-tee", "espresso-cup", "saucer", "milk-jug", "hand-grinder", "old-mug",
                                    "gift-card", "draft-poster"]
    tee = products.items["classic-tee"]
    # Variant rows carry only the handle and variant columns: they inherit the product's title and the rest.
    assert (tee.title, tee.vendor) == ("Classic Tee", "Nordic Basics")
    assert tee.category == "Apparel & Accessories > Clothing > Clothing Tops > T-Shirts"
    assert [(v.sku, v.options, v.available) for v in tee.variants] == [
        ("TEE-S-BLK", ["S", "Black"], True), ("TEE-M-BLK", ["M", "Black"], False), (None, ["L", "White"], True)]
    # The image-only row adds an image, not a variant; the first position wins.
    assert len(tee.images) == 3 and tee.image == CDN + "tee-black.jpg?v=1700000000"
    assert tee.price == 25.0 and tee.for_sale


def test_stock_status_and_listing_decide_what_is_for_sale() -> None:
    items = read_products(FIXTURES / "products_export.csv").items
    sale = {handle: p.for_sale for handle, p in items.items()}
    assert sale == {"classic-tee": True, "espresso-cup": True,
                    "saucer": True,          # stock not tracked
                    "milk-jug": False,       # tracked, none left, no overselling
                    "hand-grinder": True,    # "continue selling when out of stock" (a pre-order)
                    "old-mug": False,        # archived
                    "gift-card": False,      # not a product to recommend
                    "draft-poster": False}   # draft, unpublished
    assert items["saucer"].category == "Home & Garden > Kitchen & Dining > Tableware"
    assert items["milk-jug"].category == "Jugs"  # no Product Category: the shop's own Type


def test_orders_can_name_variants_by_sku_or_by_name() -> None:
    products = read_products(FIXTURES / "products_export.csv")
    assert products.item_for("TEE-M-BLK", "anything") == "classic-tee"
    assert products.item_for(None, "Classic Tee - L / White") == "classic-tee"  # a variant without a SKU
    assert products.item_for(None, "Saucer") == "saucer"                        # a product without a SKU
    assert products.item_for("NOPE", "Espresso Cup") == "espresso-cup"
    assert products.item_for(None, "Espresso Cup - Default Title") is None
    assert products.item_for(None, "Gift wrapping") is None


def test_the_2024_column_names_read_alike() -> None:
    items = read_products(FIXTURES / "products_export_2024.csv").items
    apron, towel = items["linen-apron"], items["tea-towel"]
    assert (apron.title, apron.category, apron.price, apron.for_sale) == \
        ("Linen Apron", "Apparel & Accessories > Clothing", 35.0, True)  # only the rust one is in stock
    assert apron.image == CDN + "apron.jpg"
    assert (towel.category, towel.for_sale) == ("Towels", True)  # CONTINUE selling when out of stock


def edited(tmp_path: Path, name: str, old: str, new: str) -> Path:
    text = (FIXTURES / name).read_text()
    assert old in text
    path = tmp_path / name
    path.write_text(text.replace(old, new, 1))
    return path


def test_a_bad_price_names_file_line_and_column(tmp_path: Path) -> None:
    # Line 7: the header, then the first product's five lines (its description spans lines).
    path = edited(tmp_path, "products_export.csv", "TEE-M-BLK,250,shopify,0,deny,manual,25.00",
                  "TEE-M-BLK,250,shopify,0,deny,manual,25 kr")
    with pytest.raises(InputError) as err:
        read_products(path)
    assert (err.value.path, err.value.line, err.value.field) == (str(path), 7, "Variant Price")
    assert "cannot parse '25 kr' as a number" in err.value.one_line()


def test_bad_values_in_the_2024_columns_use_those_names(tmp_path: Path) -> None:
    path = edited(tmp_path, "products_export_2024.csv", "Rust,,,,,,,,35.00", "Rust,,,,,,,,-35.00")
    with pytest.raises(InputError) as err:
        read_products(path)
    assert (err.value.line, err.value.field) == (4, "Price")  # the apron's description spans two lines


def test_missing_handle_column(tmp_path: Path) -> None:
    path = edited(tmp_path, "products_export.csv", "Handle,Title", "Hdl,Title")
    with pytest.raises(InputError, match="missing required column") as err:
        read_products(path)
    assert (err.value.line, err.value.field) == (1, "Handle")


def test_a_product_without_a_title_row(tmp_path: Path) -> None:
    path = edited(tmp_path, "products_export.csv", "milk-jug,Milk Jug,", "milk-jug,,")
    with pytest.raises(InputError, match="no row of product 'milk-jug' has a title") as err:
        read_products(path)
    assert (err.value.line, err.value.field) == (12, "Title")


def test_a_row_without_a_handle(tmp_path: Path) -> None:
    path = edited(tmp_path, "products_export.csv", "saucer,Saucer,", ",Saucer,")
    with pytest.raises(InputError, match="handle") as err:
        read_products(path)
    assert (err.value.line, err.value.field) == (11, "Handle")


def test_an_empty_export(tmp_path: Path) -> None:
    path = tmp_path / "products_export.csv"
    path.write_text((FIXTURES / "products_export.csv").read_text().splitlines()[0] + "\n")
    with pytest.raises(InputError, match="no data rows"):
        read_products(path)
