"""The impression pass over a log directory with pyarrow: segments parsed by Arrow's multithreaded JSON reader
and aggregated in columns, so only the few rows that matter (renders an event names, signed-in shoppers) ever
become Python objects.

Kept separate from edge/report/scan.py, which does the same over rows (what ``compute`` gets in tests); both give
the same report. A segment Arrow cannot parse (a line that is no JSON object) is read row by row instead.
"""

from __future__ import annotations

import io
import re
from array import array
from collections import Counter
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pj

from edge.report.scan import DAY, ImpressionsPart, Key, scan_impressions

SCHEMA = pa.schema([("ts", pa.int64()), ("request_id", pa.string()), ("slot", pa.string()), ("page", pa.string()),
                    ("bucket", pa.string()), ("session_id", pa.string()), ("user_id", pa.string())])
_PARSE = pj.ParseOptions(explicit_schema=SCHEMA, unexpected_field_behavior="ignore")
_BLANK = re.compile(rb"(?m)^[ \t]*\n")  # lines erased in place (edge/events/erase.py)
_CONTENT = re.compile(rb"\S")


class _Shoppers:
    """Union-find over user/session keys: a session seen with a user is that user's, every device of a user one."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}
        self.first: dict[str, tuple[int, str]] = {}  # key -> (first ts, bucket then)

    def see(self, key: str, ts: int, bucket: str) -> None:
        self.parent.setdefault(key, key)
        known = self.first.get(key)
        if known is None or ts < known[0]:
            self.first[key] = (ts, bucket)

    def root(self, key: str) -> str:
        while self.parent[key] != key:
            self.parent[key] = self.parent[self.parent[key]]
            key = self.parent[key]
        return key

    def link(self, a: str, b: str) -> None:
        ra, rb = self.root(a), self.root(b)
        if ra != rb:
            self.parent[rb] = ra

    def result(self) -> tuple[dict[str, str], dict[str, tuple[str, int]]]:
        unit_of = {k: self.root(k) for k in self.parent}
        exposed: dict[str, tuple[str, int]] = {}
        for k, (ts, bucket) in self.first.items():
            shopper = unit_of[k]
            known = exposed.get(shopper)
            if known is None or ts < known[1]:
                exposed[shopper] = (bucket, ts)
        return unit_of, exposed


def _table(path: Path, since: int | None) -> pa.Table | None:
    data = path.read_bytes()
    data = data[:data.rfind(b"\n") + 1]  # a torn last line from a crash is left out
    if data.startswith((b" ", b"\t", b"\n")) or b"\n " in data or b"\n\n" in data or b"\n\t" in data:
        data = _BLANK.sub(b"", data)
    if not _CONTENT.search(data):
        return SCHEMA.empty_table()
    try:
        table = pj.read_json(io.BytesIO(data), parse_options=_PARSE)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None
    keep = pc.and_(pc.and_(pc.is_valid(table["ts"]), pc.is_valid(table["request_id"])), pc.is_valid(table["slot"]))
    if since is not None:
        keep = pc.and_(keep, pc.greater_equal(table["ts"], since))
    return table.filter(keep)


def scan_columns(paths: list[Path], named: set[Key], since: int | None) -> ImpressionsPart:
    cells: Counter[tuple[int, str | None, str, str | None]] = Counter()
    renders: Counter[Key] = Counter()
    where: dict[Key, tuple[str, str]] = {}
    shoppers = _Shoppers()
    firsts: list[pa.Table] = []
    request_ids = pa.array(sorted({rid for rid, _ in named}), pa.string())
    for path in paths:
        table = _table(path, since)
        if table is None:
            from edge.report.load import Impression, rows

            _add_rows(scan_impressions(rows([path], Impression, since)), named, cells, renders, where, shoppers)
            continue
        if not table.num_rows:
            continue
        table = table.append_column("day", pc.divide(table["ts"], DAY))
        counted = table.group_by(["day", "page", "slot", "bucket"], use_threads=False).aggregate([("ts", "count")])
        for day, page, slot, bucket, n in zip(*(counted[c].to_pylist() for c in
                                                ("day", "page", "slot", "bucket", "ts_count")), strict=True):
            cells[(day, page, slot, bucket)] += n
        if len(request_ids):
            hit = table.filter(pc.is_in(table["request_id"], value_set=request_ids))
            for rid, slot, page, bucket in zip(*(hit[c].to_pylist() for c in ("request_id", "slot", "page", "bucket")),
                                               strict=True):
                if (rid, slot) in named:
                    renders[(rid, slot)] += 1
                    where.setdefault((rid, slot), (page or "unknown", bucket or "personalized"))
        bucket_col = pc.fill_null(table["bucket"], "personalized")
        table = table.set_column(table.schema.get_field_index("bucket"), "bucket", bucket_col)
        anonymous = table.filter(pc.and_(pc.is_null(table["user_id"]), pc.is_valid(table["session_id"])))
        firsts.append(anonymous.group_by(["session_id", "bucket"], use_threads=False).aggregate([("ts", "min")]))
        known = table.filter(pc.is_valid(table["user_id"]))
        for ts, user, session, bucket in zip(*(known[c].to_pylist() for c in ("ts", "user_id", "session_id", "bucket")),
                                             strict=True):
            if not user:
                continue
            shoppers.see("u:" + user, ts, bucket)
            if session:
                shoppers.see("s:" + session, ts, bucket)
                shoppers.link("u:" + user, "s:" + session)
    if firsts:  # each session's first impression per bucket, over all segments at once
        first = pa.concat_tables(firsts).group_by(["session_id", "bucket"], use_threads=False) \
            .aggregate([("ts_min", "min")])
        for session, bucket, ts in zip(*(first[c].to_pylist() for c in ("session_id", "bucket", "ts_min_min")),
                                       strict=True):
            if session:
                shoppers.see("s:" + session, ts, bucket)
    unit_of, exposed = shoppers.result()
    part = ImpressionsPart(cells, unit_of, exposed, array("q"), array("H"), [])
    part.found = (renders, where)
    return part


def _add_rows(part: ImpressionsPart, named: set[Key], cells: Counter[tuple[int, str | None, str, str | None]],
              renders: Counter[Key], where: dict[Key, tuple[str, str]], shoppers: _Shoppers) -> None:
    """A segment read row by row, folded into the columnar totals."""
    cells.update(part.cells)
    found, found_where = part.renders(named)
    renders.update(found)
    for key, value in found_where.items():
        where.setdefault(key, value)
    for unit, shopper in part.unit_of.items():
        bucket, ts = part.exposed[shopper]
        shoppers.see(unit, ts, bucket)
        if unit != shopper:
            shoppers.see(shopper, *part.exposed[shopper][::-1])
            shoppers.link(shopper, unit)
