"""Erasing a person's lines from event log segments in place."""

from __future__ import annotations

import json

from edge.build.readers import read_events
from edge.shopify.erase import Person, count_events, erase_events


def segment(tmp_path, name, lines, tail=b"", kind="events"):
    path = tmp_path / f"{kind}-20261123T100000000000Z-1-00000{name}.jsonl"
    path.write_bytes(b"".join(json.dumps(line).encode() + b"\n" for line in lines) + tail)
    return path


def test_only_the_persons_complete_lines_are_blanked_in_place(tmp_path):
    mine = {"ts": 1763900000, "type": "purchase", "item_id": "1", "order_id": "9", "user_id": "555"}
    by_order = {"ts": 1763900000, "type": "purchase", "item_id": "2", "order_id": "10"}
    other = {"ts": 1763900000, "type": "view", "item_id": "3", "session_id": "s", "user_id": "5555"}
    torn = b'{"ts": 1763900000, "type": "view", "item_id": "4", "user_id": "555"'  # a writer mid-append
    first = segment(tmp_path, 1, [mine, other, by_order])
    second = segment(tmp_path, 2, [other, mine], tail=torn)
    impression = {"ts": 1763900000, "type": "impression", "request_id": "r", "slot": "bestsellers",
                  "items": ["1", "2"], "user_id": "555"}
    impressions = segment(tmp_path, 1, [impression], kind="impressions")
    sizes = (first.stat().st_size, second.stat().st_size)
    person = Person(user_ids={"555"}, order_ids={"10"})
    assert count_events(tmp_path, person) == 4
    assert erase_events(tmp_path, person) == 4
    assert not impressions.read_bytes().strip()
    assert (first.stat().st_size, second.stat().st_size) == sizes  # overwritten, never moved
    assert second.read_bytes().endswith(torn)
    assert count_events(tmp_path, person) == 0
    assert read_events(first).column("item_id").to_pylist() == ["3"]
    assert erase_events(tmp_path, Person(user_ids=set(), order_ids=set())) == 0
