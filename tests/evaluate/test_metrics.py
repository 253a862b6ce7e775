import math

import numpy as np
import pytest

from edge.evaluate.metrics import Accumulator


def test_hit_rank_and_gain():
    acc = Accumulator(k=3, n_items=10)
    acc.add(np.array([5, 7, 9]), target=7)     # rank 2
    acc.add(np.array([1, 2, 3]), target=4)     # miss
    acc.add(np.array([4, 1, 2, 8]), target=8)  # beyond the cut-off: a miss
    s = acc.scores()
    assert s.cases == 3
    assert s.hr == pytest.approx(1 / 3)
    assert s.mrr == pytest.approx(0.5 / 3)
    assert s.ndcg == pytest.approx(1 / math.log2(3) / 3)
    assert s.coverage == pytest.approx(len({5, 7, 9, 1, 2, 3, 4}) / 10)


def test_empty_is_zero_not_an_error():
    s = Accumulator(k=10, n_items=0).scores()
    assert (s.cases, s.hr, s.coverage) == (0, 0.0, 0.0)
