"""The report of a log directory is the same whether its impressions are read by columns (pyarrow) or row by
row, also with erased, torn and unparseable lines."""

import json

import msgspec

from edge.report.compute import compute_dir


def test_columns_give_the_report_of_rows(tmp_path):
    log = tmp_path / "log"
    log.mkdir()
    # The shopper s1 logs in as u1 in the second segment; s2 is exposed in both, earliest in the second.
    first = [{"ts": 1_790_000_000 + i, "type": "impression", "request_id": f"r{i}", "slot": "similar",
              "page": "product", "bucket": "personalized" if i % 3 else "control", "items": ["A"],
              "session_id": f"s{i % 7}"} for i in range(50)]
    second = [{"ts": 1_789_990_000, "type": "impression", "request_id": "late", "slot": "for_you", "page": "home",
               "bucket": "personalized", "items": ["B"], "session_id": "s2"},
              {"ts": 1_790_000_100, "type": "impression", "request_id": "x", "slot": "for_you", "page": "home",
               "bucket": "personalized", "items": ["B"], "session_id": "s1", "user_id": "u1"}]
    for n, rows in enumerate((first, second)):
        (log / f"impressions-20260101T00000000000{n}Z-1-00000{n}.jsonl").write_text(
            "".join(json.dumps(r) + "\n" for r in rows))
    events = [{"ts": 1_790_000_200, "type": "click", "item_id": "A", "session_id": "s3", "request_id": "r3",
               "slot": "similar"},
              {"ts": 1_790_000_300, "type": "purchase", "item_id": "A", "user_id": "u1", "order_id": "o1",
               "quantity": 2, "price": 3.5, "currency": "EUR", "request_id": "late", "slot": "for_you"}]
    (log / "events-20260101T000000000000Z-1-000001.jsonl").write_text("".join(json.dumps(e) + "\n" for e in events))
    one = compute_dir(log, control_share=0.3, columns=False)
    two = compute_dir(log, control_share=0.3)
    assert msgspec.json.encode(one) == msgspec.json.encode(two)
    assert [(r.page, r.slot, r.clicks, r.purchases, r.revenue) for r in one.slots] == [
        ("home", "for_you", 0, 1, 7.0), ("product", "similar", 1, 0, 0.0)]
    assert sum(b.shoppers for b in one.buckets) == 7 and one.buckets[0].purchase_rate.hits == 1
    # An erased line, a torn last line, and a segment Arrow cannot parse (read row by row instead).
    with open(log / "impressions-20260101T000000000000Z-1-000000.jsonl", "a") as f:
        f.write(" " * 30 + "\n" + json.dumps(second[1] | {"request_id": "y", "ts": 1_790_000_500}) + "\n" + '{"ts": 1')
    (log / "impressions-20260101T000000000009Z-1-000009.jsonl").write_text(
        "not json\n" + json.dumps(first[0] | {"request_id": "z", "session_id": "s99"}) + "\n")
    one = compute_dir(log, control_share=0.3, columns=False)
    assert msgspec.json.encode(one) == msgspec.json.encode(compute_dir(log, control_share=0.3))
    assert one.impressions == 54 and sum(b.shoppers for b in one.buckets) == 8
