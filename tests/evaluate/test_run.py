import numpy as np
import pytest

from edge.build.demo import demo_files
from edge.evaluate.protocols import Case
from edge.evaluate.run import EITHER, evaluate, per_case_choice
from tests.requires import missing


def test_skylt_beats_popularity_on_the_demo_shop():
    events, catalog = demo_files()
    report = evaluate(events, catalog, max_cases=3000, tune=False)
    basket = report.protocols["basket"]
    nxt = report.protocols["next_item"]
    assert basket["popularity"].cases == basket["skylt"].cases > 500
    # Real co-purchase structure must beat the popularity baseline by a wide margin.
    assert basket["skylt"].hr > 2 * basket["popularity"].hr
    assert nxt["skylt"].hr > 2 * nxt["popularity"].hr
    assert nxt["skylt"].coverage > nxt["popularity"].coverage
    assert "skylt (tuned)" not in basket and report.tune is None
    assert EITHER not in basket  # the per-case choice only beside the baselines


def test_baselines_run_on_the_same_cases():
    pytest.importorskip("scipy")
    try:
        import implicit  # noqa: F401
    except ImportError:
        missing("implicit", "pip install 'skylt[eval]'")
    events, catalog = demo_files()
    report = evaluate(events, catalog, max_cases=500, tune=False, baselines=True)
    for protocol in ("next_item", "basket"):
        models = report.protocols[protocol]
        assert {"implicit cosine", "implicit bm25", "implicit tfidf"} <= set(models)
        cases = {s.cases for s in models.values()}
        assert len(cases) == 1 and cases.pop() > 100
        # item-kNN on real co-occurrence beats popularity; every model answers
        assert models["implicit cosine"].hr > models["popularity"].hr
        # the per-case choice scores at least the better of the two and at most both together
        best = max(s.hr for name, s in models.items() if name.startswith("implicit"))
        assert max(models["skylt"].hr, best) <= models[EITHER].hr <= models["skylt"].hr + best


def test_the_per_case_choice_takes_the_other_answer_only_where_it_alone_holds_the_target():
    cases = [Case(seeds=np.array([9], np.int32), target=t, user=-1) for t in (1, 2, 3, 4)]
    mine = [np.array(ids, np.int32) for ids in ([1, 5], [5, 6], [3, 6], [5, 6])]
    theirs = [np.array(ids, np.int32) for ids in ([1, 7], [2, 7], [7, 8], [7, 8])]
    chosen = per_case_choice(cases, mine, theirs)
    assert [a.tolist() for a in chosen] == [[1, 5], [2, 7], [3, 6], [5, 6]]
