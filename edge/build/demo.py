"""The packaged demo data: a trimmed UCI Online Retail sample in Skylt's own format.

Regenerate it from the full file with

    python -m edge.build.demo ../shared/datasets/uci_online_retail/online_retail.csv.gz edge/data/demo
"""

from __future__ import annotations

import sys
from importlib import resources
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from edge.build.importers import CATALOG_FILE, EVENTS_FILE, uci, write_skylt

_EVEN_DIGITS = pa.array(["0", "2", "4", "6", "8"])


def demo_files() -> tuple[list[Path], Path]:
    """([events file], catalog file) of the demo data shipped inside the package."""
    root = resources.files("edge") / "data" / "demo"
    return [Path(str(root / EVENTS_FILE))], Path(str(root / CATALOG_FILE))


def demo_subset(events: pa.Table, catalog: pa.Table) -> tuple[pa.Table, pa.Table]:
    """Every clean line of the customers with an even CustomerID (about half of them, with
    their whole year of history), and the catalog entries of the items those lines sell.
    Lines without a customer are left out."""
    last_digit = pc.utf8_slice_codeunits(events["user_id"], -1)
    sub = events.filter(pc.fill_null(pc.is_in(last_digit, value_set=_EVEN_DIGITS), False))
    return sub, catalog.filter(pc.is_in(catalog["item_id"], value_set=pc.unique(sub["item_id"])))


def make_demo(source: Path, out_dir: Path) -> list[Path]:
    """Rebuild the demo files in ``out_dir`` from the full UCI Online Retail file."""
    events, catalog = demo_subset(*uci.load(source))
    return write_skylt(out_dir, events, catalog)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: python -m edge.build.demo ONLINE_RETAIL_CSV_GZ OUT_DIR")
    for written in make_demo(Path(sys.argv[1]), Path(sys.argv[2])):
        print(written)
