"""Importer for a WooCommerce shop's order tables (one folder per shop).

The folder holds ``order_product.csv`` (order_id, product_id, quantity, total_price),
``user_order.csv`` (user_id, order_id, date), ``product.csv`` (product_id, parent_product_id,
date_created, price) and ``product_cat.csv`` (product_id, cat_id, parent_cat_id). Every order
line becomes a purchase at the order's date, with the unit price paid; the catalog has the
list price and the product's first category. Orders without a date are dropped.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv

from edge.build.frames import CATALOG_SCHEMA, EVENTS_SCHEMA, EventType
from edge.build.importers import write_skylt
from edge.errors import EmptyInputError, InputError

_TEXT = pa.string()


def _read(folder: Path, name: str, types: dict[str, pa.DataType]) -> pa.Table:
    path = folder / name
    try:
        return pcsv.read_csv(path, convert_options=pcsv.ConvertOptions(include_columns=list(types),
                                                                       column_types=types))
    except (pa.ArrowInvalid, KeyError, OSError) as exc:
        detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError(f"not a WooCommerce order table ({detail})", path=str(path)) from None


def _events(folder: Path) -> pa.Table:
    lines = _read(folder, "order_product.csv", {"order_id": _TEXT, "product_id": _TEXT, "quantity": pa.float64(),
                                                "total_price": pa.float64()})
    orders = _read(folder, "user_order.csv", {"user_id": _TEXT, "order_id": _TEXT, "date": pa.timestamp("s")})
    orders = orders.group_by("order_id").aggregate([("user_id", "min"), ("date", "min")])
    joined = lines.join(orders, "order_id", join_type="inner").filter(pc.is_valid(pc.field("date_min")))
    joined = joined.sort_by([("date_min", "ascending"), ("order_id", "ascending")])
    n = joined.num_rows
    if n == 0:
        raise EmptyInputError("no dated order lines", path=str(folder / "order_product.csv"))
    quantity = pc.if_else(pc.greater(joined["quantity"], 0), joined["quantity"], 1.0)
    unit = pc.divide(joined["total_price"], quantity)
    return pa.Table.from_arrays([
        joined["date_min"].cast(pa.int64()), pa.array(np.full(n, int(EventType.PURCHASE), np.int8)),
        joined["product_id"], joined["order_id"], joined["user_id_min"], joined["order_id"], quantity, unit,
        pa.nulls(n, _TEXT), pa.nulls(n, _TEXT),
    ], schema=EVENTS_SCHEMA)


def _catalog(folder: Path) -> pa.Table:
    products = _read(folder, "product.csv", {"product_id": _TEXT, "price": pa.float64()})
    cats = _read(folder, "product_cat.csv", {"product_id": _TEXT, "cat_id": _TEXT})
    first: dict[str, str] = {}
    for pid, cat in zip(cats["product_id"].to_pylist(), cats["cat_id"].to_pylist(), strict=True):
        first.setdefault(pid, cat)
    ids = products["product_id"].to_pylist()
    keep = [i for i, pid in enumerate(ids) if pid is not None]
    n = len(keep)
    cols = {
        "item_id": pa.array([ids[i] for i in keep], _TEXT),
        "price": pc.take(products["price"], pa.array(keep, pa.int64())),
        "category": pa.array([first.get(ids[i]) for i in keep], _TEXT),
        "in_stock": pa.array(np.ones(n, bool)),
    }
    return pa.Table.from_arrays([cols.get(f.name, pa.nulls(n, f.type)) for f in CATALOG_SCHEMA],
                                schema=CATALOG_SCHEMA)


def load(path: str | Path) -> tuple[pa.Table, pa.Table]:
    """(events, catalog) from one shop's folder."""
    folder = Path(path)
    return _events(folder), _catalog(folder)


def write(path: str | Path, out_dir: str | Path) -> list[Path]:
    """Write the shop as Skylt files (events.csv.gz, catalog.csv) into ``out_dir``."""
    events, catalog = load(path)
    return write_skylt(out_dir, events, catalog)
