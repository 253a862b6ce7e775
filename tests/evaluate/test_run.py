import pytest

from edge.build.demo import demo_files
from edge.evaluate.run import evaluate
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
