"""edge.scoring.splice: numbers written the same way by the kernel and by Python."""

from __future__ import annotations

import math

import msgspec
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from edge.scoring.splice import COUNTED, FIXED, PIECES, SAVES, STEP_UP, fixed, splice_items


def test_fixed_rounds_half_away_from_zero_and_trims() -> None:
    assert fixed(2.5, 0) == "3" and fixed(-2.5, 0) == "-3" and fixed(0.4, 0) == "0"
    assert fixed(0.125, 2) == "0.13" and fixed(-0.125, 2) == "-0.13"
    assert fixed(12.3456789, 5, trim=True) == "12.34568"
    assert fixed(2.0, 5, trim=True) == "2.0" and fixed(0.1, 5, trim=True) == "0.1"
    assert fixed(-0.000001, 2) == "0.00"  # no negative zero
    assert fixed(math.nan, 2) == fixed(math.inf, 2) == fixed(1e13, 2) == "null"


def spliced(scores: list[float], numbers: list[float], kinds: list[int]) -> list[dict[str, object]]:
    """One slot of items whose fragments are ``"id":"<i>"`` and whose texts are 'x<number>y'."""
    n = len(scores)
    fragments = [f'"id":"{i}"'.encode() for i in range(n)]
    offsets = np.zeros(n + 1, dtype=np.int64)
    offsets[1:] = np.cumsum([len(f) for f in fragments])
    blob = np.frombuffer(b"".join(fragments), dtype=np.uint8)
    text_parts = [b'"x', b'y"'] * len(kinds)
    text_offsets = np.zeros(len(text_parts) + 1, dtype=np.int64)
    text_offsets[1:] = np.cumsum([len(p) for p in text_parts])
    text_blob = np.frombuffer(b"".join(text_parts), dtype=np.uint8)
    text_ids = np.arange(n, dtype=np.int32) % len(kinds)
    body, ends = splice_items(np.arange(n, dtype=np.int32), np.array(scores, dtype=np.float32), text_ids,
                              np.array(numbers, dtype=np.float64), np.array([n], dtype=np.int64), offsets, blob,
                              np.array(kinds, dtype=np.int64), text_offsets, text_blob, np.zeros(0, np.int32),
                              np.zeros(1, np.int64), np.zeros(0, np.uint8), PIECES)
    assert ends.tolist() == [len(body)]
    return msgspec.json.decode(b"[" + body.tobytes() + b"]")  # an empty page must write nothing at all


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 1e6, width=32), st.floats(-1e9, 1e9), st.integers(0, 10 ** 9)),
                min_size=1, max_size=20))
def test_scores_and_numbers_read_back_as_python_writes_them(items: list[tuple[float, float, int]]) -> None:
    scores = [s for s, _, _ in items]
    kinds = [FIXED, COUNTED, STEP_UP, SAVES]
    numbers = [float(c) if i % 4 == 1 else v for i, (_, v, c) in enumerate(items)]
    out = spliced(scores, numbers, kinds)
    for i, item in enumerate(out):
        assert item["id"] == str(i)
        assert item["score"] == float(fixed(float(np.float32(scores[i])), 5, trim=True))
        kind = kinds[i % 4]
        written = {FIXED: "", COUNTED: "once" if numbers[i] == 1 else f"{int(numbers[i])} times",
                   STEP_UP: fixed(numbers[i], 0), SAVES: fixed(numbers[i], 2)}[kind]
        assert item["reason"] == f"x{written}y"


def test_an_empty_slot_and_an_empty_page() -> None:
    assert spliced([], [], [FIXED]) == []
