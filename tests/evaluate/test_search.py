"""The searches of build-time tuning: paired wins only, within their deadlines."""

import numpy as np

from edge.evaluate import search


class FakeClock:
    """Time that moves only when work is done: each hit-rate replay costs ``cost`` seconds."""

    def __init__(self, cost: float) -> None:
        self.now = 1000.0
        self.cost = cost
        self.replays = 0

    def __call__(self) -> float:
        return self.now

    def work(self) -> None:
        self.now += self.cost
        self.replays += 1


def _hits(rate: float, n: int = 1000) -> np.ndarray:
    """The first ``rate`` x n cases hit: a better rate hits a superset."""
    return np.arange(n) < round(min(max(rate, 0.0), 1.0) * n)


def test_search_ends_within_its_budget():
    clock = FakeClock(0.7)

    def score(row: np.ndarray) -> np.ndarray:
        clock.work()
        return _hits(0.1 * float(row[0]))  # more of table 0 is always better: the search never runs out of moves

    start = np.array([1.0, 0.5, 0.3, 0.2, 0.1], np.float32)
    deadline = clock() + 5.0
    best, _, _, evaluations = search.coordinate_descent(score, start, deadline, clock)
    assert clock() <= deadline and evaluations == clock.replays == 6  # the 7th would end at 1004.9: too close
    assert best[0] > start[0]


def test_a_move_needs_more_than_noise():
    start = np.array([1.0, 0.5, 0.3, 0.2, 0.1], np.float32)
    # 0.1 % more hits: no reason to leave the defaults
    flat = search.coordinate_descent(lambda row: _hits(0.5 + 1e-3 * float(row[0])), start, float("inf"))
    assert np.array_equal(flat[0], start)
    clear = search.coordinate_descent(lambda row: _hits(0.5 + 0.05 * float(row[3])), start, float("inf"))
    assert clear[0][3] > start[3] and clear[1] > clear[2]


def test_a_paired_win_must_outnumber_the_losses():
    a = np.zeros(400, bool)
    a[:100] = True
    swapped = np.roll(a, 50)  # 50 gained, 50 lost
    assert not search.better(swapped, a)
    more = a.copy()
    more[100:120] = True  # 20 gained, none lost: 20 >= 2 x sqrt(20)
    assert search.better(more, a) and not search.better(a, more)


def test_the_history_half_life_moves_only_on_a_paired_win_and_within_its_budget():
    # Next item hits most at a half-life of 2 views; 0.5 is within noise of the start (1).
    rates = {0.0: 0.40, 0.5: 0.5005, 1.0: 0.50, 2.0: 0.55, 4.0: 0.52}
    assert search.choose_half_life(lambda h: _hits(rates[h]), 1.0, float("inf"))[:3] == (2.0, 0.55, 0.50)
    assert search.choose_half_life(lambda h: _hits(0.5 + 1e-4 * h), 1.0, float("inf"))[0] == 1.0
    clock = FakeClock(1.0)

    def score(h: float) -> np.ndarray:
        clock.work()
        return _hits(rates[h])

    deadline = clock() + 3.0
    _, _, _, evaluations = search.choose_half_life(score, 1.0, deadline, clock)
    assert clock() <= deadline and evaluations == clock.replays == 2  # a third would end at 1003.25: too close
