"""Importer for UCI Online Retail (Chen, Sain, Guo 2012; CC BY 4.0).

Columns InvoiceNo, StockCode, Description, Quantity, InvoiceDate, UnitPrice, CustomerID,
Country; one row per invoice line. Kept: lines that are not cancellations (InvoiceNo
starting with C), have Quantity > 0 and UnitPrice > 0, and sell a product (the non-product
codes below are dropped). Lines without a customer are kept with their order id only.
Stock codes are upper-cased: the data has lower-case spellings of the same products
(84997d = 84997D).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from edge.build import parse
from edge.build.encode import codes, group_median
from edge.build.frames import CATALOG_SCHEMA, EVENTS_SCHEMA, EventType
from edge.build.importers import write_skylt
from edge.build.importers.uci_names import category_for, nice_title
from edge.build.readers import columns

# Postage, fees, manual adjustments, samples and vouchers, as the dataset's README lists them.
NON_PRODUCT_CODES = frozenset({"POST", "DOT", "M", "C2", "BANK CHARGES", "AMAZONFEE", "S", "B", "PADS"})
NON_PRODUCT_PREFIXES = ("GIFT_", "DCGS")
CURRENCY = "GBP"

UCI_COLUMNS = ("invoiceno", "stockcode", "description", "quantity", "invoicedate", "unitprice",
               "customerid", "country")
_REQUIRED = ("invoiceno", "stockcode", "quantity", "invoicedate", "unitprice")


def read_lines(path: str | Path) -> pa.Table:
    """All invoice lines, typed, with columns named as in UCI_COLUMNS (stock codes upper-cased)."""
    cols = columns(path, UCI_COLUMNS, _REQUIRED)
    table = pa.table({
        "invoiceno": cols.get("invoiceno", parse.text, pa.string(), required=True),
        "stockcode": pc.utf8_upper(cols.get("stockcode", parse.text, pa.string(), required=True)),
        "description": cols.get("description", parse.text, pa.string()),
        "quantity": cols.get("quantity", parse.number, pa.float64(), required=True),
        "invoicedate": cols.get("invoicedate", parse.timestamp, pa.int64(), required=True),
        "unitprice": cols.get("unitprice", parse.number, pa.float64(), required=True),
        "customerid": cols.get("customerid", parse.text, pa.string()),
        "country": cols.get("country", parse.text, pa.string()),
    })
    cols.check()
    return table


def is_product(code: pa.Array | pa.ChunkedArray) -> pa.Array:
    upper = pc.utf8_upper(code)
    out = pc.invert(pc.is_in(upper, value_set=pa.array(sorted(NON_PRODUCT_CODES))))
    for prefix in NON_PRODUCT_PREFIXES:
        out = pc.and_(out, pc.invert(pc.starts_with(upper, prefix)))
    return out


def clean_lines(lines: pa.Table) -> pa.Table:
    cancelled = pc.starts_with(pc.utf8_upper(lines["invoiceno"]), "C")
    keep = pc.and_(
        pc.and_(pc.invert(cancelled), is_product(lines["stockcode"])),
        pc.and_(pc.greater(lines["quantity"], 0), pc.greater(lines["unitprice"], 0)),
    )
    return lines.filter(keep)


def events_from(lines: pa.Table) -> pa.Table:
    n = lines.num_rows
    return pa.Table.from_arrays([
        lines["invoicedate"], pa.array(np.full(n, int(EventType.PURCHASE), np.int8)), lines["stockcode"],
        pa.nulls(n, pa.string()), lines["customerid"], lines["invoiceno"], lines["quantity"],
        lines["unitprice"], lines["country"], pa.nulls(n, pa.string()),
    ], schema=EVENTS_SCHEMA)


def catalog_from(lines: pa.Table) -> pa.Table:
    """One item per stock code, sorted by code: the most frequent description (ties: the
    alphabetically first) as a title, the median unit price and a keyword category."""
    named = lines.filter(pc.is_valid(lines["description"]))
    counts = named.group_by(["stockcode", "description"]).aggregate([("description", "count")])
    counts = counts.sort_by([("stockcode", "ascending"), ("description_count", "descending"),
                             ("description", "ascending")])
    code = counts["stockcode"].to_numpy(zero_copy_only=False)
    first = np.ones(len(code), bool)
    first[1:] = code[1:] != code[:-1]
    modal = dict(zip(code[first].tolist(), counts["description"].filter(pa.array(first)).to_pylist(),
                     strict=True))

    group, ids = codes(lines["stockcode"])
    price = group_median(group, lines["unitprice"].to_numpy(), len(ids))
    order = np.argsort(np.array(ids.to_pylist(), dtype=object), kind="stable")
    item_ids = [ids[int(i)].as_py() for i in order]
    names = [modal.get(i) for i in item_ids]
    n = len(item_ids)
    cols = {
        "item_id": pa.array(item_ids, pa.string()),
        "title": pa.array([nice_title(d) for d in names], pa.string()),
        "price": pa.array(price[order]),
        "currency": pa.array([CURRENCY] * n, pa.string()),
        "category": pa.array([category_for(d) for d in names], pa.string()),
        "in_stock": pa.array(np.ones(n, bool)),
    }
    return pa.Table.from_arrays([cols.get(f.name, pa.nulls(n, f.type)) for f in CATALOG_SCHEMA],
                                schema=CATALOG_SCHEMA)


def load(path: str | Path) -> tuple[pa.Table, pa.Table]:
    """(events, catalog) from the UCI Online Retail CSV: one purchase event per clean line."""
    lines = clean_lines(read_lines(path))
    return events_from(lines), catalog_from(lines)


def write(path: str | Path, out_dir: str | Path) -> list[Path]:
    """Write the UCI data as Skylt files (events.csv.gz, catalog.csv) into ``out_dir``."""
    events, catalog = load(path)
    return write_skylt(out_dir, events, catalog)
