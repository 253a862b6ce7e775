"""Build-time tuning: within its time bound, only where the window can decide, into the manifest."""

import numpy as np

from edge.build.demo import demo_files
from edge.build.encode import encode
from edge.build.pipeline import BuildParams, build
from edge.build.readers import read_catalog, read_events
from edge.evaluate import tune as tuning
from edge.evaluate.search import HALF_LIVES
from edge.layout import NEIGHBOUR_TABLES
from edge.store import open_snapshot
from tests.evaluate.test_search import FakeClock


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
    assert tune.similar_history_half_life is None or tune.similar_history_half_life in HALF_LIVES
    with open_snapshot(tmp_path / "tables") as snap:
        assert snap.manifest.tune == tune
    untuned = build(events_paths, tmp_path / "plain", catalog_path=catalog_path)
    assert untuned.manifest.tune is None


def _reversed_pairs(monkeypatch):
    """Shoppers first viewed a then b; in the window they view b then a; ``similar`` without ``viewed_near``."""
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
    return events, catalog


def test_tuning_turns_viewed_near_on_where_only_it_knows_what_comes_before(monkeypatch):
    """Only ``viewed_near`` (the viewed-next counts read both ways) links b back to a: from a ``similar``
    recipe without it, the search turns it on, and it shows no fewer items than the default did."""
    from edge.build.params import BuildParams

    events, catalog = _reversed_pairs(monkeypatch)
    # window 0: no also_viewed pairs, so the co-view table cannot answer in its place.
    tune = tuning.tune(events, catalog, BuildParams(window=0), 60.0)
    assert tune is not None and tune.validation["next_item_cases"] >= tuning.MIN_CASES
    assert tune.validation["next_item_items_tuned"] >= tune.validation["next_item_items_default"] > 0
    assert tune.weights["similar"]["viewed_near"] > 0
    assert tune.validation["next_item_hr_tuned"] == 1.0 > tune.validation["next_item_hr_default"]


def test_a_choice_that_shows_fewer_items_keeps_the_defaults(monkeypatch):
    """The same winning move, but the window's coverage says the tuned recipe shows fewer items: dropped."""
    from edge.build.params import BuildParams

    events, catalog = _reversed_pairs(monkeypatch)
    real, asked = tuning.covered, []

    def narrower(*args):  # the default's coverage first, then the tuned choice's
        asked.append(args)
        return real(*args) + (1_000 if len(asked) == 1 else 0)

    monkeypatch.setattr(tuning, "covered", narrower)
    tune = tuning.tune(events, catalog, BuildParams(window=0), 60.0)
    assert tune is not None and tune.validation["next_item_hr_tuned"] == 1.0
    assert "similar" not in tune.weights and tune.similar_history_half_life is None
    assert tune.validation["next_item_defaults_kept"] == "the tuned choice shows fewer items"
    assert len(asked) == 2 and not np.array_equal(asked[0][3], asked[1][3])
