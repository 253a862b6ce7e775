"""Tunables: the defaults, then the snapshot manifest's ``tune`` section, then settings given
explicitly, the later winning; the weight matrix built from table names."""

from __future__ import annotations

import math

import numpy as np
import pytest

from edge.config import Settings
from edge.layout import NEIGHBOUR_TABLES, Tune
from edge.schemas import RecommendRequest
from edge.slots.context import build_context
from edge.slots.planner import plan
from edge.slots.served import serve
from edge.slots.tunables import DEFAULT_WEIGHTS, RECIPES, W_HISTORY, W_SIMILAR, resolve, weight_row
from edge.store import open_snapshot
from tests.slots.oracle.planner import plan_reference
from tests.slots.shop import write_shop


def row(recipe: str, tunables) -> list[float]:
    return tunables.table_weights[RECIPES.index(recipe)].tolist()


def test_the_defaults_without_a_tune_section():
    t = resolve(Settings(), None)
    assert t.table_weights.shape == (len(RECIPES), len(NEIGHBOUR_TABLES))
    for recipe in RECIPES:
        assert row(recipe, t) == weight_row(DEFAULT_WEIGHTS[recipe]).tolist()
    # also_viewed, viewed_next, bought_together, also_bought, similar_content, viewed_near,
    # bought_category (the cart's category fallback only)
    assert row("similar", t) == pytest.approx([1.0, 0.0, 0.3, 0.5, 0.3, 2.0, 0.0])
    assert row("together", t) == pytest.approx([0.0, 0.0, 1.0, 0.3, 0.0, 0.0, 0.0])
    assert row("cart", t) == pytest.approx([1.0, 0.5, 0.5, 0.2, 0.05, 0.0, 0.01])
    assert t.history_half_life == 4.0 and not t.table_weights.flags.writeable


def test_a_snapshot_without_viewed_near_keeps_the_similar_recipe_it_was_built_for():
    five = NEIGHBOUR_TABLES[:5]
    assert "viewed_near" not in five and "bought_category" not in five
    t = resolve(Settings(), None, five)
    assert t.table_weights[W_SIMILAR].tolist() == pytest.approx([1.0, 0.7, 0.3, 0.5, 0.3])
    # A tuned row is the build's own choice and stands as it is.
    tuned = resolve(Settings(), Tune(weights={"similar": {"also_viewed": 2.0}}), five)
    assert tuned.table_weights[W_SIMILAR].tolist() == pytest.approx([2.0, 0.0, 0.0, 0.0, 0.0])


def test_a_recipe_the_manifest_names_replaces_its_default_row():
    tune = Tune(weights={"similar": {"also_viewed": 2.0, "similar_content": 0.5}}, history_half_life=2.0)
    t = resolve(Settings(), tune)
    assert row("similar", t) == [2.0, 0.0, 0.0, 0.0, 0.5, 0.0, 0.0]  # tables it leaves out weigh 0
    assert row("history", t) == weight_row(DEFAULT_WEIGHTS["history"]).tolist()  # the others keep theirs
    assert t.history_half_life == 2.0


def test_unknown_names_and_bad_weights_in_a_manifest_are_ignored():
    tune = Tune(weights={"similar": {"also_viewed": 1.5, "a_table_from_the_future": 9.0, "viewed_next": math.nan,
                                     "also_bought": -1.0},
                         "no_such_recipe": {"also_viewed": 1.0}}, history_half_life=math.inf)
    t = resolve(Settings(), tune)
    assert row("similar", t) == [1.5, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]
    assert t.history_half_life == 4.0


def test_the_matrix_follows_the_snapshots_table_names():
    tables = (*NEIGHBOUR_TABLES, "bought_after")  # a table a later build may add
    t = resolve(Settings(), Tune(weights={"history": {"bought_after": 0.25}}), tables)
    assert t.table_weights.shape == (len(RECIPES), len(tables))
    assert t.table_weights[W_HISTORY].tolist() == [0.0] * len(NEIGHBOUR_TABLES) + [0.25]
    assert t.table_weights[W_SIMILAR, -1] == 0.0
    reordered = resolve(Settings(), None, tuple(reversed(NEIGHBOUR_TABLES)))
    assert reordered.table_weights[W_SIMILAR].tolist() == pytest.approx([0.0, 2.0, 0.3, 0.5, 0.3, 0.0, 1.0])


def test_an_explicit_setting_wins_over_the_manifest(monkeypatch):
    tune = Tune(history_half_life=2.0)
    assert resolve(Settings.load(), tune).history_half_life == 2.0
    assert resolve(Settings.load(history_half_life=8.0), tune).history_half_life == 8.0  # the CLI
    assert resolve(Settings.load(history_half_life=4.0), tune).history_half_life == 4.0  # even at the default
    monkeypatch.setenv("SKYLT_HISTORY_HALF_LIFE", "6")
    assert resolve(Settings.load(), tune).history_half_life == 6.0  # the environment
    assert Settings.load().given() == {"history_half_life"}
    # Built directly, a value that differs from its default counts as given.
    assert resolve(Settings(history_half_life=3.0), tune).history_half_life == 3.0
    assert resolve(Settings(max_per_category=2), tune).history_half_life == 2.0


def test_the_similar_history_half_life_resolves_like_the_others(monkeypatch):
    tune = Tune(similar_history_half_life=2.0)
    assert resolve(Settings.load(), None).similar_half_life == 1.0  # the default
    assert resolve(Settings.load(), tune).similar_half_life == 2.0  # the manifest
    assert resolve(Settings.load(), Tune(similar_history_half_life=math.inf)).similar_half_life == 1.0
    assert resolve(Settings.load(similar_history_half_life=0.0), tune).similar_half_life == 0.0  # the CLI
    monkeypatch.setenv("SKYLT_SIMILAR_HISTORY_HALF_LIFE", "4")
    assert resolve(Settings.load(), tune).similar_half_life == 4.0  # the environment


def test_the_served_planner_blends_with_the_manifests_weights(tmp_path):
    # "similar" tuned to content alone: M4, content-similar to M1 but never viewed with it, comes first.
    tune = Tune(weights={"similar": {"similar_content": 1.0}})
    with open_snapshot(write_shop(tmp_path, tune=tune)) as snap:
        served = serve(snap)
        req = RecommendRequest(page="product", item="M1", slots=["similar"], n=2)
        ctx = build_context(snap, req)
        [result] = plan(served, ctx, ("similar",))
        assert [snap.external_id(i) for i in result.picked.ids.tolist()] == ["M4", "M2"]
        assert result.picked.reasons == [b'"Similar to this item"', b'"Bought 3 times this month"']
        [oracle] = plan_reference(served, ctx, ("similar",))
        assert oracle.picked.ids.tolist() == result.picked.ids.tolist()
        assert oracle.picked.reasons == result.picked.reasons
        del served
    assert np.isfinite(resolve(Settings(), tune).table_weights).all()
