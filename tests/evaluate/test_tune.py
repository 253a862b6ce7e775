"""Build-time tuning: within its time bound, only where the window can decide, into the manifest."""

import numpy as np

from edge.build.demo import demo_files
from edge.build.encode import encode
from edge.build.pipeline import BuildParams, build
from edge.build.readers import read_catalog, read_events
from edge.evaluate import tune as tuning
from edge.layout import NEIGHBOUR_TABLES
from edge.store import open_snapshot


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
    best, _, _, evaluations = tuning.coordinate_descent(score, start, deadline, clock)
    assert clock() <= deadline and evaluations == clock.replays == 6  # the 7th would end at 1004.9: too close
    assert best[0] > start[0]


def test_a_move_needs_more_than_noise():
    start = np.array([1.0, 0.5, 0.3, 0.2, 0.1], np.float32)
    # 0.1 % more hits: no reason to leave the defaults
    flat = tuning.coordinate_descent(lambda row: _hits(0.5 + 1e-3 * float(row[0])), start, float("inf"))
    assert np.array_equal(flat[0], start)
    clear = tuning.coordinate_descent(lambda row: _hits(0.5 + 0.05 * float(row[3])), start, float("inf"))
    assert clear[0][3] > start[3] and clear[1] > clear[2]


def test_a_paired_win_must_outnumber_the_losses():
    a = np.zeros(400, bool)
    a[:100] = True
    swapped = np.roll(a, 50)  # 50 gained, 50 lost
    assert not tuning.better(swapped, a)
    more = a.copy()
    more[100:120] = True  # 20 gained, none lost: 20 >= 2 x sqrt(20)
    assert tuning.better(more, a) and not tuning.better(a, more)


def test_the_history_half_life_moves_only_on_a_paired_win_and_within_its_budget():
    # Next item hits most at a half-life of 2 views; 0.5 is within noise of the start (1).
    rates = {0.0: 0.40, 0.5: 0.5005, 1.0: 0.50, 2.0: 0.55, 4.0: 0.52}
    assert tuning.choose_half_life(lambda h: _hits(rates[h]), 1.0, float("inf"))[:3] == (2.0, 0.55, 0.50)
    assert tuning.choose_half_life(lambda h: _hits(0.5 + 1e-4 * h), 1.0, float("inf"))[0] == 1.0
    clock = FakeClock(1.0)

    def score(h: float) -> np.ndarray:
        clock.work()
        return _hits(rates[h])

    deadline = clock() + 3.0
    _, _, _, evaluations = tuning.choose_half_life(score, 1.0, deadline, clock)
    assert clock() <= deadline and evaluations == clock.replays == 2  # a third would end at 1003.25: too close


def _demo():
    events_paths, catalog_path = demo_files()
    return encode([read_events(p) for p in events_paths], read_catalog(catalog_path))


def test_tuning_respects_the_build_time_bound(monkeypatch):
    """Whatever the replays cost, tuning stops within max(budget, MIN_BUDGET) of its start."""
    events, catalog = _demo()
    clock = FakeClock(0.9)
    real = tuning.hits

    def costly(*args, **kwargs):
        clock.work()
        return real(*args, **kwargs)

    monkeypatch.setattr(tuning, "hits", costly)
    started = clock()
    tuned = tuning.tune(events, catalog, BuildParams(), 2.0, clock=clock)
    assert tuned is not None
    assert clock() - started <= tuning.MIN_BUDGET
    assert 1 <= clock.replays <= tuning.MIN_BUDGET / 0.9
    assert tuned.validation["basket_cases"] >= tuning.MIN_CASES
    assert tuned.validation["seconds"] == round(clock() - started, 2)


def test_too_few_cases_keep_the_defaults():
    events, catalog = _demo()
    few = events.take(events.ts <= events.ts[np.argsort(events.ts)[150]])  # a handful of orders
    assert tuning.tune(few, catalog, BuildParams(), 1.0) is None


def test_build_writes_what_tuning_chose(tmp_path, monkeypatch):
    monkeypatch.setattr(tuning, "MIN_BUDGET", 600.0)  # a busy machine must not leave the search without time
    events_paths, catalog_path = demo_files()
    result = build(events_paths, tmp_path / "tables", catalog_path=catalog_path, tune=True)
    tune = result.manifest.tune
    assert tune is not None and tune.validation["basket_cases"] >= tuning.MIN_CASES
    for recipe, tables in tune.weights.items():
        assert recipe in ("cart", "similar") and set(tables) == set(NEIGHBOUR_TABLES)
    assert tune.similar_history_half_life is None or tune.similar_history_half_life in tuning.HALF_LIVES
    with open_snapshot(tmp_path / "tables") as snap:
        assert snap.manifest.tune == tune
    untuned = build(events_paths, tmp_path / "plain", catalog_path=catalog_path)
    assert untuned.manifest.tune is None


def test_tuning_turns_viewed_near_on_where_only_it_knows_what_comes_before(monkeypatch):
    """Shoppers first viewed a then b; in the window they view b then a. Only ``viewed_near`` (the viewed-next
    counts read both ways) links b back to a: from a ``similar`` recipe without it, the search turns it on."""
    from edge.build.params import BuildParams
    from edge.build.tables.cooccur import group_starts
    from edge.slots import tunables
    from tests.build.tables.conftest import make_catalog, make_events

    pairs, sessions = 30, 1250
    first = [(2 * (s % pairs), 2 * (s % pairs) + 1) for s in range(sessions)]
    cut = int(sessions * (1 - tuning.VALIDATION_SHARE))
    order = [(a, b) if s < cut else (b, a) for s, (a, b) in enumerate(first)]
    events = make_events(np.repeat(np.arange(sessions), 2), np.ravel(order), ts=np.arange(2 * sessions) * 60)
    assert group_starts(events.session).shape[0] == sessions + 1
    catalog = make_catalog([None] * (2 * pairs))
    monkeypatch.setitem(tunables.DEFAULT_WEIGHTS, "similar", {"viewed_next": 1.0})
    # window 0: no also_viewed pairs, so the co-view table cannot answer in its place.
    tune = tuning.tune(events, catalog, BuildParams(window=0), 60.0)
    assert tune is not None and tune.validation["next_item_cases"] >= tuning.MIN_CASES
    assert tune.weights["similar"]["viewed_near"] > 0
    assert tune.validation["next_item_hr_tuned"] == 1.0 > tune.validation["next_item_hr_default"]
