"""Build-time tuning of the bought-together scoring: chosen on a paired win, within the bound, built."""

import numpy as np

from edge.build import tables
from edge.build.aggregate import aggregate
from edge.build.demo import demo_files
from edge.build.encode import encode
from edge.build.pipeline import BuildParams, build
from edge.build.readers import read_catalog, read_events
from edge.evaluate import tune as tuning
from edge.evaluate import tune_tables
from edge.layout import NEIGHBOUR_TABLES
from edge.store import open_snapshot
from tests.evaluate.test_search import FakeClock, _hits

COSINE = {"method": "cosine", "shrinkage": 1.0}
BM25 = {"method": "bm25", "k1": 1.2, "b": 0.75}


def _rates(table: dict[str, float]):
    return lambda scoring: _hits(table.get(tune_tables.describe(scoring), 0.5))


def test_a_scoring_is_chosen_only_on_a_paired_win():
    rates = {"cosine shrinkage=1.0": 0.56, "bm25 k1=1.2 b=0.75": 0.5004}
    best, rate, base, evaluations = tune_tables.choose_scoring(_rates(rates), float("inf"))
    assert best == COSINE and (rate, base) == (0.56, 0.5)
    assert evaluations == 1 + len(tune_tables.SCORING_TRIALS) + len(tune_tables.K_TRIALS)
    # Then its size, on the winner: 100 neighbours win.
    rates["cosine shrinkage=1.0 k=100.0"] = 0.6
    assert tune_tables.choose_scoring(_rates(rates), float("inf"))[0] == {**COSINE, "k": 100.0}
    # Within noise of the default: the default (``{}``) stands.
    flat = tune_tables.choose_scoring(_rates({"bm25 k1=1.2 b=0.75": 0.501}), float("inf"))
    assert flat[0] == {}


def test_the_scoring_search_ends_within_its_budget():
    clock = FakeClock(1.0)

    def score(scoring):
        clock.work()
        return _hits(0.5)

    deadline = clock() + 3.0
    *_, evaluations = tune_tables.choose_scoring(score, deadline, clock)
    assert clock() <= deadline and evaluations == clock.replays == 2  # a third would end at 1003.25
    # A replay as long as the last one's would not fit: not even the default is replayed.
    assert tune_tables.choose_scoring(score, clock() + 1.0, clock, spent=1.0)[3] == 0


def _favouring(scoring: dict, events, catalog, params, cut: int):
    """A ``hits`` that hits 60 % of the cases when the frame's bought-together table is the one
    ``scoring`` gives on the training data before ``cut`` (the window's), else 50 %."""
    aggs = aggregate(events.take(events.ts < cut), len(catalog), cut - 1, params.window)
    want = tables.bought_together_scores(aggs.pairs["bought_together"], len(catalog), params.k, scoring).scores
    t = NEIGHBOUR_TABLES.index("bought_together")

    def hits(frame, family, cases, weights, settings, k=10, similar_half_life=None, seen=None):
        a = frame.arrays
        got = a["nbr_scores"][a["nbr_indptr"][t, 0]:a["nbr_indptr"][t, -1]]
        same = family is tuning.BASKET and np.array_equal(got, want)
        return _hits(0.6 if same else 0.5, len(cases))

    return hits


def test_tuning_chooses_a_scoring_the_window_prefers_and_the_build_serves_it(tmp_path, monkeypatch):
    monkeypatch.setattr(tuning, "MIN_BUDGET", 600.0)  # a busy machine must not leave the search without time
    events_paths, catalog_path = demo_files()
    events, catalog = encode([read_events(p) for p in events_paths], read_catalog(catalog_path))
    params = BuildParams()
    cut = tuning.single_node(events, catalog, params).cut
    monkeypatch.setattr(tuning, "hits", _favouring(BM25, events, catalog, params, cut))
    result = build(events_paths, tmp_path / "tables", catalog_path=catalog_path, tune=True)
    tune = result.manifest.tune
    assert tune is not None and tune.tables == {"bought_together": BM25}
    assert tune.validation["basket_scoring"] == "bm25 k1=1.2 b=0.75"
    assert tune.validation["basket_hr_scoring"] == 0.6 and tune.weights == {}
    with open_snapshot(tmp_path / "tables") as snap:
        assert snap.manifest.tune == tune
        a = snap.arrays
        aggs = aggregate(events, len(catalog), int(events.ts.max()), params.window)
        t = NEIGHBOUR_TABLES.index("bought_together")
        want = tables.bought_together_scores(aggs.pairs["bought_together"], len(catalog), params.k, BM25)
        lo, hi = a["nbr_indptr"][t, 0], a["nbr_indptr"][t, -1]
        assert np.array_equal(a["nbr_indices"][lo:hi], want.indices)
        assert np.array_equal(a["nbr_scores"][lo:hi], want.scores)
        assert np.array_equal(a["nbr_indptr"][t] - lo, want.indptr)
        # The other tables are what an untuned build has.
        plain = build(events_paths, tmp_path / "plain", catalog_path=catalog_path)
        with open_snapshot(plain.path) as untuned:
            b = untuned.arrays
            c = NEIGHBOUR_TABLES.index("also_viewed")
            assert np.array_equal(a["nbr_indptr"][c], b["nbr_indptr"][c])
            assert not np.array_equal(a["nbr_scores"][lo:hi], b["nbr_scores"][b["nbr_indptr"][t, 0]:
                                                                            b["nbr_indptr"][t, -1]])
