from __future__ import annotations

import collections
import json
from pathlib import Path

import pyarrow.compute as pc
import pytest

from edge.build.encode import encode
from edge.build.frames import EventType
from edge.build.importers import otto
from edge.build.readers import read_events
from edge.errors import InputError

REPO = Path(__file__).resolve().parents[3]
SAMPLE = REPO.parent / "shared" / "datasets" / "otto_sample"
FILES = ["train_first20_sessions.jsonl", "events_flat.csv"]

needs_sample = pytest.mark.skipif(not SAMPLE.is_dir(), reason="OTTO sample not available")


@needs_sample
@pytest.mark.parametrize("name", FILES)
def test_real_sample(name: str) -> None:
    events, catalog = otto.load(SAMPLE / name)
    assert catalog is None
    assert events.num_rows == 862
    kinds = collections.Counter(events["type"].to_pylist())
    assert kinds == {EventType.VIEW: 800, EventType.CART: 52, EventType.PURCHASE: 10}
    assert pc.count_distinct(events["item_id"]).as_py() == 510
    assert pc.count_distinct(events["session_id"]).as_py() == 20
    first = events.slice(0, 1).to_pylist()[0]
    assert (first["session_id"], first["item_id"], first["ts"]) == ("0", "1517085", 1659304800)
    # Session 0 orders two items at the same ms: one basket.
    orders = events.filter(pc.equal(events["type"], int(EventType.PURCHASE)))
    assert orders["order_id"].to_pylist()[:2] == ["0-1659370027105", "0-1659370027105"]
    assert events.filter(pc.is_valid(events["order_id"])).num_rows == 10
    assert pc.count_distinct(orders["order_id"]).as_py() == 5


@needs_sample
def test_both_layouts_agree() -> None:
    a, _ = otto.load(SAMPLE / FILES[0])
    b, _ = otto.load(SAMPLE / FILES[1])
    assert a.equals(b)


@needs_sample
def test_write_round_trips(tmp_path: Path) -> None:
    events, _ = otto.load(SAMPLE / FILES[0])
    paths = otto.write(SAMPLE / FILES[0], tmp_path)
    assert [p.name for p in paths] == ["events.csv.gz"]
    assert read_events(paths[0]).equals(events)
    frame, items = encode([events], None)
    assert len(items) == 510 and len(set(frame.session.tolist())) == 20


def test_unknown_type_names_the_session_line(tmp_path: Path) -> None:
    path = tmp_path / "otto.jsonl"
    lines = [{"session": 1, "events": [{"aid": 5, "ts": 1659304800025, "type": "clicks"}]},
             {"session": 2, "events": [{"aid": 6, "ts": 1659304800026, "type": "views"}]}]
    path.write_text("".join(json.dumps(x) + "\n" for x in lines))
    with pytest.raises(InputError) as info:
        otto.load(path)
    assert (info.value.line, info.value.field) == (2, "type")
    assert "'views'" in info.value.message


def test_flat_csv_errors(tmp_path: Path) -> None:
    path = tmp_path / "otto.csv"
    path.write_text("session,aid,ts,type\n1,5,1659304800025,clicks\n1,,1659304800026,carts\n")
    with pytest.raises(InputError) as info:
        otto.load(path)
    assert (info.value.line, info.value.field) == (3, "aid")


def test_not_otto_layout(tmp_path: Path) -> None:
    path = tmp_path / "otto.jsonl"
    path.write_text('{"ts": 1, "type": "view"}\n')
    with pytest.raises(InputError, match="OTTO"):
        otto.load(path)
