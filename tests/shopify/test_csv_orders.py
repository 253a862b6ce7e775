from __future__ import annotations

import hashlib
import hmac
from collections import Counter
from pathlib import Path

import pytest

from edge.errors import InputError
from edge.shopify.csv_orders import customer_id, read_orders
from edge.shopify.csv_products import read_products

FIXTURES = Path(__file__).parent / "fixtures"
KEY = "shop-secret"
ID = {n: str(5550000000 + n) for n in range(1001, 1013)}  # the export's numeric order Id column


@pytest.fixture(scope="module")
def products():
    return read_products(FIXTURES / "products_export.csv")


def ada() -> str:
    return hmac.new(KEY.encode(), b"email:ada@example.com", hashlib.sha256).hexdigest()[:32]


def test_line_items_become_purchases(products) -> None:
    orders = read_orders(FIXTURES / "orders_export.csv", products, customer_key=KEY)
    events = orders.events.to_pylist()
    per_order = Counter(e["order_id"] for e in events)
    assert per_order == {ID[1001]: 2, ID[1002]: 3, ID[1003]: 2, ID[1006]: 2, ID[1007]: 3, ID[1008]: 2,
                         ID[1009]: 3, ID[1010]: 2, ID[1011]: 3, ID[1012]: 2}
    assert orders.orders == 10
    assert orders.skipped_orders == {"refunded": 1, "cancelled": 1}
    assert orders.skipped_lines == {"not in the product export": 1}  # #1006's gift wrapping
    assert orders.currencies == {"SEK": 10}

    first, second = [e for e in events if e["order_id"] == ID[1001]]
    assert (first["item_id"], first["quantity"], first["price"]) == ("espresso-cup", 2.0, 12.5)
    # The second line of an order leaves the order's columns blank: it inherits time, customer and country.
    assert second["item_id"] == "saucer"  # no SKU: matched by name
    assert second["ts"] == first["ts"] == 1709284500  # 2024-03-01 10:15:00 +0100
    assert second["user_id"] == first["user_id"] == ada()
    assert second["region"] == "SE"
    assert all(e["type"] == 2 for e in events)


def test_variants_count_as_their_product(products) -> None:
    events = read_orders(FIXTURES / "orders_export.csv", products, customer_key=KEY).events.to_pylist()
    lines = [(e["item_id"], e["price"], e["region"]) for e in events if e["order_id"] == ID[1002]]
    assert lines == [("classic-tee", 25.0, "DE"), ("classic-tee", 27.0, "DE"), ("espresso-cup", 12.5, "DE")]


def test_customers_are_hashed_e_mails(products) -> None:
    events = read_orders(FIXTURES / "orders_export.csv", products, customer_key=KEY).events.to_pylist()
    users = {e["order_id"]: e["user_id"] for e in events}
    assert users[ID[1003]] == users[ID[1001]] == ada()  # "ADA@Example.com " is the same customer
    assert users[ID[1006]] is None                     # a guest without an address: the order id alone
    assert all("@" not in str(e) for e in events)
    assert customer_id("ada@example.com", "another key") != ada()


def edited(tmp_path: Path, old: str, new: str) -> Path:
    text = (FIXTURES / "orders_export.csv").read_text()
    assert old in text
    path = tmp_path / "orders_export.csv"
    path.write_text(text.replace(old, new, 1))
    return path


def test_a_bad_quantity_names_file_line_and_column(tmp_path: Path, products) -> None:
    path = edited(tmp_path, "#1002,bo@example.com,,,,,,,,,,,,,,,1,Classic Tee - L / White",
                  "#1002,bo@example.com,,,,,,,,,,,,,,,one,Classic Tee - L / White")
    with pytest.raises(InputError) as err:
        read_orders(path, products, customer_key=KEY)
    assert (err.value.path, err.value.line, err.value.field) == (str(path), 5, "Lineitem quantity")
    assert err.value.one_line() == f"{path}: line 5: field 'Lineitem quantity': cannot parse 'one' as a number"


def test_an_order_without_a_creation_time(tmp_path: Path, products) -> None:
    path = edited(tmp_path, "2024-03-05 18:30:00 +0100,1,Espresso Cup", ",1,Espresso Cup")
    with pytest.raises(InputError, match="order #1003 has no creation time") as err:
        read_orders(path, products, customer_key=KEY)
    assert (err.value.line, err.value.field) == (7, "Created at")


def test_a_bad_timestamp(tmp_path: Path, products) -> None:
    path = edited(tmp_path, "2024-03-05 18:30:00 +0100,1,Espresso Cup", "5 March,1,Espresso Cup")
    with pytest.raises(InputError, match="timestamp") as err:
        read_orders(path, products, customer_key=KEY)
    assert (err.value.line, err.value.field) == (7, "Created at")


def test_not_an_order_export(tmp_path: Path, products) -> None:
    with pytest.raises(InputError, match="missing required column") as err:
        read_orders(FIXTURES / "products_export.csv", products, customer_key=KEY)
    assert (err.value.line, err.value.field) == (1, "Name")


def test_the_earliest_bad_row_is_reported_whatever_its_column(tmp_path: Path, products) -> None:
    text = (FIXTURES / "orders_export.csv").read_text()
    text = text.replace(",,,,,,,,,,,,,,2,Saucer,6.00,", ",,,,,,,,,,,,,,2,Saucer,6 kr,", 1)  # line 3, a price
    text = text.replace(",,,,,,,,,,,,,,,1,Classic Tee - L / White", ",,,,,,,,,,,,,,,x,Classic Tee - L / White", 1)
    path = tmp_path / "orders_export.csv"
    path.write_text(text)
    with pytest.raises(InputError) as err:
        read_orders(path, products, customer_key=KEY)
    assert (err.value.line, err.value.field) == (3, "Lineitem price")


def test_without_the_id_column_the_name_is_the_order_id(tmp_path: Path, products) -> None:
    path = tmp_path / "orders_export.csv"
    path.write_text("Name,Created at,Lineitem quantity,Lineitem name,Lineitem sku\n"
                    "#77,2024-05-01 12:00:00 -0400,1,Espresso Cup,CUP-1\n#77,,3,Saucer,\n")
    events = read_orders(path, products, customer_key=KEY).events.to_pylist()
    assert [(e["order_id"], e["item_id"], e["quantity"], e["ts"], e["user_id"]) for e in events] == [
        ("#77", "espresso-cup", 1.0, 1714579200, None), ("#77", "saucer", 3.0, 1714579200, None)]
