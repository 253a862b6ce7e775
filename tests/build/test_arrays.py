"""The scoring choices ``edge.build.arrays`` makes for the served tables, on sessions small enough to write down."""

from __future__ import annotations

from typing import cast

import pytest

from edge.build.aggregate import aggregate
from edge.build.arrays import score_table
from edge.build.frames import Catalog
from edge.build.params import BuildParams

from .tables.conftest import check_well_formed, row
from .tables.test_neighbours import sessions_to_events


def test_served_viewed_near_weighs_every_step_of_its_window_and_both_directions_alike() -> None:
    # Item 0 is in all four sessions; 1 follows it at once three times, 2 two steps on (twice),
    # 3 three steps on (once, the edge of the window), 4 comes just before it (once), 5 four steps on (outside).
    sessions = [[0, 1, 2], [0, 1, 2], [0, 1, 6, 3], [4, 0, 7, 8, 9, 5]]
    events = sessions_to_events(sessions)
    n = 10
    aggs = aggregate(events, n, now=0, window=BuildParams().window)
    catalog = cast(Catalog, [None] * n)  # the behavioural tables read only its length
    nb = score_table("viewed_near", aggs, catalog, BuildParams(k=20))
    check_well_formed(nb, n, 20)
    idx, scores, counts = row(nb, 0)
    # n_0 = 4 sessions, shrinkage 5: score = sessions within three steps either way / 9.
    expected = {1: 3, 2: 2, 6: 1, 3: 1, 4: 1, 7: 1, 8: 1, 9: 1}
    assert dict(zip(idx, counts, strict=True)) == expected
    assert dict(zip(idx, scores, strict=True)) == pytest.approx({j: c / 9 for j, c in expected.items()})
    assert 5 not in idx
    # Before and after count alike: from 4 (n = 1) item 0 one step on, from 0 item 4 one step back.
    assert dict(zip(*row(nb, 4)[:2], strict=True))[0] == pytest.approx(1 / 6)
