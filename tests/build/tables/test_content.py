from __future__ import annotations

import numpy as np
import pytest

from edge.build.tables import similar_content
from edge.build.tables.content import content_features, content_rows, content_table

from .conftest import check_well_formed, make_catalog, row

CATEGORIES = ["Shoes > Running", "Shoes > Hiking", "Kitchen > Kettles", "Toys"]


def test_same_category_and_tokens_rank_first() -> None:
    catalog = make_catalog(
        [
            "Nike Pegasus running shoe",      # 0
            "Adidas running shoe",            # 1 same category, shared tokens
            "Nike Pegasus shoe toy",          # 2 shared tokens, other category
            "Trail hiking boot",              # 3 sibling category, nothing shared
            "Electric kettle",                # 4 unrelated
            "Salomon trail running shoe",     # 5 same category, shared tokens
        ],
        category=[0, 0, 3, 1, 2, 0], categories=CATEGORIES, price=[100, 90, 100, 120, 30, 110],
    )
    nb = similar_content(catalog, k=10)
    check_well_formed(nb, 6, 10)
    assert (nb.counts == 0).all()
    idx, _, _ = row(nb, 0)
    assert set(idx[:2]) == {1, 5}
    assert idx.index(2) < idx.index(3)  # shared tokens beat a bare sibling category
    assert 4 not in idx


def test_featureless_items_get_no_neighbours() -> None:
    catalog = make_catalog(["Blue kettle", None, "", "Kettle steel", "!!"], category=[2, -1, -1, -1, -1],
                           categories=CATEGORIES, price=[10, 10, 10, 10, 10])
    nb = similar_content(catalog, k=5)
    check_well_formed(nb, 5, 5)
    assert row(nb, 0)[0] == [3] and row(nb, 3)[0] == [0]
    for i in (1, 2, 4):
        assert row(nb, i)[0] == []
        assert i not in nb.indices


def test_catalog_without_content_is_empty() -> None:
    catalog = make_catalog([None] * 1000, price=np.arange(1000))
    nb = similar_content(catalog, k=5)
    assert nb.indptr.shape == (1001,) and nb.indptr[-1] == 0
    assert similar_content(make_catalog([]), k=5).indptr.tolist() == [0]


def test_price_and_brand_order_within_a_category() -> None:
    catalog = make_catalog(["a1", "b2", "c3", "d4"], category=0, categories=CATEGORIES,
                           price=[100, 105, 300, 100], brand=[-1, -1, -1, 7])
    nb = similar_content(catalog, k=5)
    assert row(nb, 0)[0] == [3, 1, 2]  # same price and brand-less; brand only counts when shared
    catalog = make_catalog(["a1", "b2", "c3"], category=0, categories=CATEGORIES, price=[100, 200, 100],
                           brand=[1, 1, 2])
    assert row(similar_content(catalog, k=5), 0)[0] == [1, 2]  # same brand, price x2 beats other brand


def test_very_frequent_tokens_are_dropped() -> None:
    words = ["alpha", "bravo", "charlie", "delta"]
    titles = [f"widget {words[i % 4]}{i}" for i in range(200)] + ["gadget zulu", "gadget zulu mini"]
    nb = similar_content(make_catalog(titles), k=5)
    # "widget" is in every title: it links nothing, and the rest of each title is unique.
    assert nb.indptr[200] == 0
    assert row(nb, 200)[0] == [201]


def test_unicode_tokens_and_k() -> None:
    titles = ["Röd löparsko", "Blå löparsko", "Löparsko grön"] + [f"löparsko modell{i}" for i in range(10)]
    nb = similar_content(make_catalog(titles), k=3)
    check_well_formed(nb, 13, 3)
    assert (np.diff(nb.indptr) == 3).all()


def test_category_paths_share_parents() -> None:
    catalog = make_catalog(["x", "y", "z"], category=[0, 1, 2], categories=CATEGORIES)
    idx, scores, _ = row(similar_content(catalog, k=5), 0)
    assert idx == [1]  # Hiking shares the "Shoes" level with Running, Kettles shares nothing
    assert 0 < scores[0] < 0.5


def test_threads_do_not_change_the_result(monkeypatch: pytest.MonkeyPatch) -> None:
    n = 25_000
    rng = np.random.default_rng(0)
    words = rng.integers(0, 3000, (n, 2))
    titles = [f"item t{a} u{b}" for a, b in words]
    catalog = make_catalog(titles, category=rng.integers(0, 4, n), categories=CATEGORIES,
                           price=rng.uniform(1, 100, n), brand=rng.integers(-1, 30, n))
    monkeypatch.setattr("edge.build.tables.content.numba.get_num_threads", lambda: 4)
    threaded = similar_content(catalog, k=5)
    monkeypatch.setattr("edge.build.tables.content.numba.get_num_threads", lambda: 1)
    single = similar_content(catalog, k=5)
    for name in ("indptr", "indices", "scores"):
        assert np.array_equal(getattr(threaded, name), getattr(single, name))
    check_well_formed(threaded, n, 5)


def test_category_ids_without_names_still_group() -> None:
    catalog = make_catalog(["a1", "b2", "c3", "d4"], category=[0, 0, 5, 5], categories=[])
    nb = similar_content(catalog, k=5)
    assert row(nb, 0)[0] == [1] and row(nb, 2)[0] == [3]


@pytest.mark.parametrize("parts", [1, 3, 7])
def test_rows_scored_in_parts_give_the_whole_table_to_the_bit(parts: int) -> None:
    # What the Spark engine does on its executors: every parts-th row, packed, then reassembled.
    rng = np.random.default_rng(parts)
    words = ["red", "blue", "shoe", "boot", "kettle", "lamp", "oak", "steel", "mini", "pro"]
    titles = [" ".join(rng.choice(words, size=3)) for _ in range(300)]
    catalog = make_catalog(titles, category=rng.integers(0, 4, 300).tolist(), categories=CATEGORIES,
                           price=rng.uniform(5, 200, 300).round(2).tolist())
    whole = similar_content(catalog, k=8)
    features = content_features(catalog, 8)
    assert features is not None
    pieces = []
    for part in range(parts):
        rows = np.arange(part, 300, parts, dtype=np.int64)
        pieces.append((rows, *content_rows(features, rows)))
    joined = content_table(300, pieces[::-1])  # parts arrive in any order
    assert int(whole.indptr[-1]) > 300
    np.testing.assert_array_equal(joined.indptr, whole.indptr)
    np.testing.assert_array_equal(joined.indices, whole.indices)
    assert joined.scores.tobytes() == whole.scores.tobytes()


def test_a_catalog_without_titles_or_groups_has_no_features() -> None:
    assert content_features(make_catalog([]), 5) is None
    assert content_table(4, []).indptr.tolist() == [0, 0, 0, 0, 0]
