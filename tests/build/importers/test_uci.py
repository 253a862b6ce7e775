from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pyarrow.compute as pc
import pytest

from edge.build.demo import demo_files, demo_subset, make_demo
from edge.build.encode import encode
from edge.build.frames import EventType
from edge.build.importers import uci
from edge.build.importers.uci_names import OTHER, category_for, nice_title
from edge.build.readers import read_catalog, read_events
from edge.errors import InputError

REPO = Path(__file__).resolve().parents[3]
UCI_FILE = REPO.parent / "shared" / "datasets" / "uci_online_retail" / "online_retail.csv.gz"

# The real UCI layout. Kept: 536365 (two lines), 536366 (one line, no customer), 536367.
# Dropped: a cancellation, a POST line, a gift voucher, a DCGS line, Quantity <= 0 and
# UnitPrice == 0.
FIXTURE = """InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country
536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,2010-12-01 08:26:00,2.55,17850,United Kingdom
536365,71053,WHITE METAL LANTERN,6,2010-12-01 08:26:00,3.39,17850,United Kingdom
536365,POST,POSTAGE,1,2010-12-01 08:26:00,18.00,17850,United Kingdom
536366,85123a,WHITE HANGING HEART T-LIGHT HOLDER,2,2010-12-01 08:28:00,2.95,,United Kingdom
C536379,71053,WHITE METAL LANTERN,-1,2010-12-01 09:41:00,3.39,14527,United Kingdom
536367,85123A,CREAM HANGING HEART T-LIGHT HOLDER,32,2010-12-02 10:00:00,2.40,13047,France
536367,gift_0001_20,Dotcomgiftshop Gift Voucher £20.00,1,2010-12-02 10:00:00,17.02,13047,France
536367,DCGSSBOY,BOYS PARTY BAG,1,2010-12-02 10:00:00,3.29,13047,France
536367,22139,RETROSPOT TEA SET CERAMIC 11 PC ,0,2010-12-02 10:00:00,4.95,13047,France
536367,22140,,5,2010-12-02 10:00:00,0,13047,France
"""


@pytest.fixture
def fixture_file(tmp_path: Path) -> Path:
    path = tmp_path / "online_retail.csv.gz"
    path.write_bytes(gzip.compress(FIXTURE.encode()))
    return path


def test_clean_lines_become_purchases(fixture_file: Path) -> None:
    events, _ = uci.load(fixture_file)
    assert events.num_rows == 4
    assert events["order_id"].to_pylist() == ["536365", "536365", "536366", "536367"]
    assert events["item_id"].to_pylist() == ["85123A", "71053", "85123A", "85123A"]
    assert events["user_id"].to_pylist() == ["17850", "17850", None, "13047"]
    assert events["quantity"].to_pylist() == [6.0, 6.0, 2.0, 32.0]
    assert events["price"].to_pylist() == [2.55, 3.39, 2.95, 2.40]
    assert events["region"].to_pylist() == ["United Kingdom"] * 3 + ["France"]
    assert events["ts"][0].as_py() == 1291191960  # 2010-12-01T08:26:00Z
    assert set(events["type"].to_pylist()) == {EventType.PURCHASE}
    assert events["session_id"].null_count == 4


def test_catalog_from_clean_lines(fixture_file: Path) -> None:
    _, catalog = uci.load(fixture_file)
    rows = {r["item_id"]: r for r in catalog.to_pylist()}
    assert list(rows) == ["71053", "85123A"]  # sorted by code; dropped lines leave no items
    heart = rows["85123A"]
    assert heart["title"] == "White Hanging Heart T-Light Holder"  # modal description, 2 of 3
    assert heart["price"] == pytest.approx(2.55)  # median of 2.55, 2.95, 2.40
    assert heart["currency"] == "GBP" and heart["category"] == "Candles & Lights"
    assert heart["in_stock"] is True and heart["url"] is None and heart["image"] is None
    assert rows["71053"]["price"] == pytest.approx(3.39)


def test_write_round_trips_through_the_readers(fixture_file: Path, tmp_path: Path) -> None:
    events, catalog = uci.load(fixture_file)
    paths = uci.write(fixture_file, tmp_path / "out")
    assert [p.name for p in paths] == ["events.csv.gz", "catalog.csv"]
    assert read_events(paths[0]).equals(events)
    assert read_catalog(paths[1]).equals(catalog)


def test_missing_column_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "online_retail.csv"
    path.write_text("InvoiceNo,StockCode,Quantity,UnitPrice\n1,A,1,1\n")
    with pytest.raises(InputError) as info:
        uci.load(path)
    assert info.value.field == "invoicedate"


@pytest.mark.parametrize(("name", "title", "category"), [
    ("WHITE HANGING HEART T-LIGHT HOLDER", "White Hanging Heart T-Light Holder", "Candles & Lights"),
    ("JUMBO BAG RED RETROSPOT", "Jumbo Bag Red Retrospot", "Bags & Purses"),
    ("SET OF 3 CAKE TINS PANTRY DESIGN ", "Set of 3 Cake Tins Pantry Design", "Baking"),
    ("PAPER CHAIN KIT 50'S CHRISTMAS ", "Paper Chain Kit 50's Christmas", "Christmas"),
    ("KNITTED UNION FLAG HOT WATER BOTTLE", "Knitted Union Flag Hot Water Bottle", "Bath & Textiles"),
    ("ALARM CLOCK BAKELIKE RED ", "Alarm Clock Bakelike Red", "Home Decor"),
    ("RED RETROSPOT MUGS", "Red Retrospot Mugs", "Kitchen & Dining"),
    ("INFLATABLE POLITICAL GLOBE ", "Inflatable Political Globe", OTHER),
])
def test_names_and_categories(name: str, title: str, category: str) -> None:
    assert nice_title(name) == title
    assert category_for(name) == category


def test_nice_title_of_nothing() -> None:
    assert nice_title(None) is None and nice_title("  ") is None


def test_packaged_demo_data() -> None:
    (events_path,), catalog_path = demo_files()
    assert events_path.is_file() and catalog_path.is_file()
    assert events_path.stat().st_size + catalog_path.stat().st_size < 2_100_000
    frame, items = encode([read_events(events_path)], read_catalog(catalog_path))
    assert len(items) >= 1_000 and len(set(frame.item.tolist())) >= 1_000
    assert len(frame.regions) >= 5
    baskets = np.bincount(frame.order[frame.order >= 0])
    assert np.median(baskets) >= 5


@pytest.mark.slow
@pytest.mark.skipif(not UCI_FILE.is_file(), reason="UCI Online Retail not available")
def test_full_uci_file(tmp_path: Path) -> None:
    events, catalog = uci.load(UCI_FILE)
    with_customer = events.filter(pc.is_valid(events["user_id"]))
    # README: 397,884 clean lines with a customer, before dropping the non-product codes
    # (1,547 of those lines); lines without a customer are kept as well.
    assert 397_884 - 2_000 < with_customer.num_rows <= 397_884
    assert with_customer.num_rows == 396_337
    assert events.num_rows == 527_725
    assert pc.count_distinct(with_customer["user_id"]).as_py() == 4_334
    assert pc.count_distinct(events["region"]).as_py() == 38
    assert catalog.num_rows == pc.count_distinct(events["item_id"]).as_py() == 3_791
    assert catalog["title"].null_count == 0
    other = pc.sum(pc.equal(catalog["category"], OTHER)).as_py()
    assert other < 0.2 * catalog.num_rows

    # The packaged demo is exactly what make_demo regenerates.
    paths = make_demo(UCI_FILE, tmp_path / "demo")
    (packaged_events,), packaged_catalog = demo_files()
    assert paths[0].read_bytes() == packaged_events.read_bytes()
    assert paths[1].read_bytes() == packaged_catalog.read_bytes()
    sub, _ = demo_subset(events, catalog)
    assert read_events(packaged_events).num_rows == sub.num_rows
