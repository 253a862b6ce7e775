from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from edge.build.encode import encode
from edge.build.frames import EventType
from edge.build.importers import wootables
from edge.build.readers import read_catalog, read_events
from edge.errors import EmptyInputError, InputError


def shop(folder: Path, orders: str = "u1,o1,2016-01-02 10:00:00\nu2,o2,2016-01-03 11:00:00\n") -> Path:
    folder.mkdir()
    (folder / "order_product.csv").write_text("order_id,product_id,quantity,total_price\n"
                                              "o1,p1,2,20.0\no1,p2,1,5.0\no2,p1,1,10.0\no9,p2,1,5.0\n")
    (folder / "user_order.csv").write_text("user_id,order_id,date\n" + orders)
    (folder / "product.csv").write_text("product_id,parent_product_id,date_created,price\n"
                                        "p1,0,2015-01-01 00:00:00,12\np2,0,2015-01-01 00:00:00,5\n"
                                        "p3,0,2015-06-01 00:00:00,7\n")
    (folder / "product_cat.csv").write_text("product_id,cat_id,parent_cat_id\np1,c1,0\np1,c2,c1\np2,c3,0\n")
    return folder


def test_orders_become_purchases_with_unit_prices(tmp_path: Path) -> None:
    events_path, catalog_path = wootables.write(shop(tmp_path / "shop"), tmp_path / "out")
    events, catalog = encode([read_events(events_path)], read_catalog(catalog_path))
    assert catalog.item_ids == ["p1", "p2", "p3"]  # every product, sold or not
    assert np.allclose(catalog.price, [12, 5, 7])
    assert [catalog.categories[c] for c in catalog.category[:2]] == ["c1", "c3"]  # the first category
    assert len(events) == 3  # o9 has no date: dropped
    assert set(events.kind.tolist()) == {int(EventType.PURCHASE)}
    p1 = catalog.item_ids.index("p1")
    assert sorted(events.price[events.item == p1].tolist()) == [10.0, 10.0]  # 20 for 2 units
    assert len(set(events.order.tolist())) == 2 and len(set(events.user.tolist())) == 2


def test_a_shop_without_dated_orders_is_empty(tmp_path: Path) -> None:
    with pytest.raises(EmptyInputError):
        wootables.load(shop(tmp_path / "shop", orders=""))


def test_a_missing_table_names_the_file(tmp_path: Path) -> None:
    folder = shop(tmp_path / "shop")
    (folder / "product_cat.csv").unlink()
    with pytest.raises(InputError, match=r"product_cat\.csv"):
        wootables.load(folder)
