import numpy as np

from edge.build.frames import Events, EventType
from edge.evaluate.protocols import basket_cases, cutoff, next_item_cases


def events(rows):
    """rows: (session, ts, item, kind, user, order), already sorted by session and time."""
    a = np.array(rows, dtype=np.int64).reshape(-1, 6)
    n = a.shape[0]
    return Events(ts=a[:, 1], kind=a[:, 3].astype(np.int8), item=a[:, 2].astype(np.int32), session=a[:, 0],
                  user=a[:, 4], order=a[:, 5], quantity=np.ones(n, np.float32), price=np.full(n, np.nan, np.float32),
                  region=np.full(n, -1, np.int32), segment=np.full(n, -1, np.int32))


V, P = int(EventType.VIEW), int(EventType.PURCHASE)


def test_next_item_skips_repeats_and_old_sessions():
    ev = events([
        (0, 10, 1, V, 0, -1), (0, 11, 2, V, 0, -1),               # before the cut-off
        (1, 100, 3, V, 1, -1), (1, 101, 4, V, 1, -1), (1, 102, 3, V, 1, -1), (1, 103, 5, V, 1, -1),
    ])
    cases = list(next_item_cases(ev, cut=50))
    assert [(c.seeds.tolist(), c.target) for c in cases] == [([3], 4), ([3, 4], 5)]
    assert all(c.user == 1 for c in cases)


def test_basket_holds_out_one_item_of_multi_item_orders():
    ev = events([
        (0, 100, 1, P, 7, 0), (0, 100, 2, P, 7, 0), (0, 100, 3, P, 7, 0),
        (1, 100, 4, P, 8, 1),                                     # single item: no case
        (2, 10, 5, P, 9, 2), (2, 10, 6, P, 9, 2),                 # before the cut-off
    ])
    cases = list(basket_cases(ev, cut=50))
    assert len(cases) == 1
    case = cases[0]
    assert sorted([*case.seeds.tolist(), case.target]) == [1, 2, 3]
    assert case.target not in case.seeds and case.user == 7


def test_basket_caps_items_per_order():
    ev = events([(0, 100, i, P, 0, 0) for i in range(40)])
    (case,) = basket_cases(ev, cut=0, max_items=30)
    assert case.seeds.shape[0] == 29


def test_cutoff_splits_sessions_by_start():
    ev = events([(s, 100 * s, s, V, -1, -1) for s in range(10)])
    cut = cutoff(ev, 0.8)
    assert (ev.ts < cut).sum() == 8

