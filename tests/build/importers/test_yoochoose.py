from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from edge.build.encode import encode
from edge.build.frames import EventType
from edge.build.importers import yoochoose
from edge.build.readers import read_events
from edge.errors import InputError

ROWS = "SessionId\tItemId\tTime\n3\t214716935\t1396437466.94\n3\t214832672\t1396438212.318\n7\t214716935\t1396440000\n"


def test_clicks_round_trip(tmp_path: Path) -> None:
    src = tmp_path / "clicks.tsv.gz"
    src.write_bytes(gzip.compress(ROWS.encode()))
    (events_path,) = yoochoose.write(src, tmp_path / "out")
    events, catalog = encode([read_events(events_path)], None)
    assert len(events) == 3 and len(catalog) == 2
    assert set(events.kind.tolist()) == {int(EventType.CLICK)}
    assert sorted(events.ts.tolist()) == [1396437466, 1396438212, 1396440000]
    assert len(set(events.session.tolist())) == 2


def test_other_layouts_fail_naming_the_file(tmp_path: Path) -> None:
    src = tmp_path / "wrong.tsv"
    src.write_text("a\tb\n1\t2\n")
    with pytest.raises(InputError, match="SessionId/ItemId/Time"):
        yoochoose.load(src)
