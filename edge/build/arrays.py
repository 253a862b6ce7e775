"""Every array of a snapshot from the aggregates: the one place floats are computed.

Both engines (and the build-time tuning's validation frame) score their integer aggregates here, so
their tables agree to the bit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np

from edge.build import tables
from edge.build.aggregate import Aggregates
from edge.build.frames import Catalog, Neighbours, Ranking
from edge.build.params import BuildParams, Progress
from edge.build.render import render_fragments, string_table
from edge.layout import NEIGHBOUR_TABLES, RANKINGS


def arrays_from(aggs: Aggregates, catalog: Catalog, now: int, params: BuildParams, say: Progress,
                neighbours: bool = True, scored: dict[str, Neighbours] | None = None) -> dict[str, np.ndarray]:
    """Every array of a snapshot from the aggregates: the one place floats are computed."""
    n = len(catalog)
    arrays: dict[str, np.ndarray] = {
        "price": catalog.price, "category": catalog.category, "brand": catalog.brand,
        "in_stock": catalog.in_stock, "rating": catalog.rating, "review_count": catalog.review_count,
        "margin": catalog.margin, "created_at": catalog.created_at,
    }
    if neighbours:
        arrays.update(neighbour_arrays(aggs, catalog, params, say, scored))

    say("computing bestsellers and trending")
    arrays["popularity"] = tables.popularity_of(aggs.lines, n, now, params.half_life_days)
    arrays.update(ranking_arrays(aggs, catalog, now, params, RANKINGS))

    say("computing social proof")
    arrays.update(aggs.social)

    say("encoding render data")
    arrays["render_offsets"], arrays["render_blob"] = render_fragments(catalog)
    arrays["ext_offsets"], arrays["ext_blob"] = string_table(catalog.item_ids)
    return arrays


def neighbour_arrays(aggs: Aggregates, catalog: Catalog, params: BuildParams, say: Progress,
                     scored: dict[str, Neighbours] | None = None,
                     scoring: dict[str, dict[str, float | str]] | None = None) -> dict[str, np.ndarray]:
    """Every neighbour table, scored (unless ``scored`` holds it already) and stacked (``nbr_*``);
    ``scoring``: table -> how to score it, where not the default (what a build's tuning chose)."""
    computed: dict[str, Neighbours] = {}
    for name in NEIGHBOUR_TABLES:
        if scored and name in scored:
            computed[name] = scored[name]
            continue
        say(f"computing {name}")
        computed[name] = score_table(name, aggs, catalog, params, (scoring or {}).get(name))
    return stack_neighbours(computed, len(catalog))


def unstack_neighbours(arrays: dict[str, np.ndarray]) -> dict[str, Neighbours]:
    """The tables of stacked ``nbr_*`` arrays, by name (``stack_neighbours`` undone)."""
    indptr = arrays["nbr_indptr"]
    out: dict[str, Neighbours] = {}
    for t, name in enumerate(NEIGHBOUR_TABLES):
        lo, hi = int(indptr[t, 0]), int(indptr[t, -1])
        out[name] = Neighbours(indptr=indptr[t] - lo, indices=arrays["nbr_indices"][lo:hi],
                               scores=arrays["nbr_scores"][lo:hi], counts=arrays["nbr_counts"][lo:hi])
    return out


def rescore_tables(arrays: dict[str, np.ndarray], aggs: Aggregates, catalog: Catalog, params: BuildParams,
                   scoring: dict[str, dict[str, float | str]]) -> dict[str, np.ndarray]:
    """``arrays`` with the tables ``scoring`` names scored that way (the rest as they are)."""
    if not scoring:
        return arrays
    tables = unstack_neighbours(arrays)
    for name, how in scoring.items():
        tables[name] = score_table(name, aggs, catalog, params, how)
    return {**arrays, **stack_neighbours(tables, len(catalog))}


def ranking_arrays(aggs: Aggregates, catalog: Catalog, now: int, params: BuildParams,
                   names: Iterable[str]) -> dict[str, np.ndarray]:
    """The rankings ``names`` as ``<name>/indptr|items|scores`` arrays."""
    n, lines, hl, top = len(catalog), aggs.lines, params.half_life_days, params.group_top
    make: dict[str, Callable[[], Ranking]] = {
        "bestsellers": lambda: tables.ranking_of(lines, n, now, hl),
        "bestsellers_category": lambda: tables.ranking_of(lines, n, now, hl, item_group=catalog.category,
                                                          n_groups=len(catalog.categories), top=top),
        "bestsellers_region": lambda: tables.ranking_of(lines, n, now, hl, line_group="region",
                                                        n_groups=len(aggs.regions), top=top),
        "bestsellers_segment": lambda: tables.ranking_of(lines, n, now, hl, line_group="segment",
                                                         n_groups=len(aggs.segments), top=top),
        "trending": lambda: tables.trending_of(lines, n, now, recent_days=params.trending_days),
    }
    arrays: dict[str, np.ndarray] = {}
    for name in names:
        ranking = make[name]()
        arrays[f"{name}/indptr"] = ranking.indptr
        arrays[f"{name}/items"] = ranking.items
        arrays[f"{name}/scores"] = ranking.scores
    return arrays


# Tables scored from another table's aggregate (so neither engine counts anything new for them).
NEAR_SOURCE = {"viewed_near": "viewed_next", "bought_category": "bought_together"}
# viewed_near counts every step of its window alike and both directions alike: chosen on validation windows
# cut from the training data only (YOOCHOOSE dev, UCI), where it beat the follow-weighted, gap-decayed form
# (decay 0.5, back 0.5) and wider windows or popularity-discounted (IDF) forms did not win on both.
NEAR_DECAY = 1.0
NEAR_BACK = 1.0


def score_table(name: str, aggs: Aggregates, catalog: Catalog, params: BuildParams,
                scoring: dict[str, float | str] | None = None) -> Neighbours:
    """One neighbour table; ``scoring`` (bought-together only) replaces the default scoring's knobs."""
    n, k = len(catalog), params.k
    if name == "similar_content":
        return tables.similar_content(catalog, k=k)
    pairs = aggs.pairs[NEAR_SOURCE.get(name, name)]
    if name in ("also_viewed", "also_bought"):
        return tables.cosine_scores(pairs, n, k, shrinkage=10.0)
    if name == "viewed_next":
        return tables.sequence_scores(pairs, n, k, decay=0.5, shrinkage=5.0)
    if name == "viewed_near":
        return tables.near_scores(pairs, n, k, decay=NEAR_DECAY, back=NEAR_BACK, shrinkage=5.0)
    if name == "bought_together":
        return tables.bought_together_scores(pairs, n, k, scoring)
    if name == "bought_category":
        return tables.category_fallback(pairs, catalog)
    raise ValueError(f"unknown neighbour table {name!r}")


def stack_neighbours(neighbours: dict[str, Neighbours], n: int) -> dict[str, np.ndarray]:
    """Stack the tables as one CSR so a kernel blends all of them in one call."""
    indptr = np.zeros((len(neighbours), n + 1), dtype=np.int64)
    offset = 0
    for t, table in enumerate(neighbours.values()):
        indptr[t] = table.indptr + offset
        offset += int(table.indptr[-1])
    tabs = list(neighbours.values())
    return {
        "nbr_indptr": indptr,
        "nbr_indices": np.concatenate([t.indices for t in tabs]).astype(np.int32, copy=False),
        "nbr_scores": np.concatenate([t.scores for t in tabs]).astype(np.float32, copy=False),
        "nbr_counts": np.concatenate([t.counts for t in tabs]).astype(np.int32, copy=False),
    }
