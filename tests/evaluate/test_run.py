from edge.build.demo import demo_files
from edge.evaluate.run import evaluate


def test_skylt_beats_popularity_on_the_demo_shop():
    events, catalog = demo_files()
    report = evaluate(events, catalog, max_cases=3000)
    basket = report.protocols["basket"]
    nxt = report.protocols["next_item"]
    assert basket["popularity"].cases == basket["skylt (cart)"].cases > 500
    # Real co-purchase structure must beat the popularity baseline by a wide margin.
    assert basket["skylt (cart)"].hr > 2 * basket["popularity"].hr
    assert nxt["skylt"].hr > 2 * nxt["popularity"].hr
    assert nxt["skylt"].coverage > nxt["popularity"].coverage
