"""The numbers a shop may tune, resolved once per served snapshot.

Each comes from the defaults below, then from the snapshot manifest's ``tune`` section (what
``skylt build`` chose for the shop), then from a setting given explicitly (CLI, environment,
TOML file), the later winning. A recipe named in the manifest replaces that recipe's default
row (tables it leaves out weigh 0; tables the server does not know are ignored). The weight
matrix is built from table names against the snapshot's own table order, so tables added
later need no change here.
"""

from __future__ import annotations

import math

import numpy as np

from edge.config import Settings
from edge.layout import NEIGHBOUR_TABLES, Tune
from edge.scoring.bundles import Tunables

# Recipes: how a slot blends the neighbour tables, by the rows of the weight matrix.
RECIPES = ("history", "cart", "similar", "together", "content")
W_HISTORY, W_CART, W_SIMILAR, W_TOGETHER, W_CONTENT = range(len(RECIPES))

# Tastes, chosen on a validation window of UCI Online Retail (sessions starting between 60 %
# and 80 % of the timeline, trained on what came before), never on the reported test split.
DEFAULT_WEIGHTS: dict[str, dict[str, float]] = {
    "history": {"also_viewed": 1.0, "viewed_next": 1.0, "also_bought": 0.2, "bought_together": 0.5,
                "similar_content": 0.05},
    "cart": {"also_viewed": 1.0, "viewed_next": 0.5, "bought_together": 0.5, "also_bought": 0.2,
             "similar_content": 0.05, "bought_category": 0.01},
    # viewed_near in place of viewed_next (the same aggregate, both directions): better on the next-item
    # validation windows of YOOCHOOSE dev and UCI (README, Offline evaluation), and no more rows per seed.
    "similar": {"also_viewed": 1.0, "viewed_near": 2.0, "also_bought": 0.5, "bought_together": 0.3,
                "similar_content": 0.3},
    "together": {"bought_together": 1.0, "also_bought": 0.3},
    "content": {"similar_content": 1.0},
}


def weight_row(weights: dict[str, float], tables: tuple[str, ...] | list[str] = NEIGHBOUR_TABLES) -> np.ndarray:
    """One recipe's weights over ``tables`` (in their stacking order); unnamed tables weigh 0."""
    return np.array([float(weights.get(name, 0.0)) for name in tables], dtype=np.float32)


# A snapshot built before viewed_near (five tables) keeps the similar recipe it was built for.
SIMILAR_WITHOUT_NEAR = {"also_viewed": 1.0, "viewed_next": 0.7, "also_bought": 0.5, "bought_together": 0.3,
                        "similar_content": 0.3}


def weight_matrix(weights: dict[str, dict[str, float]],
                  tables: tuple[str, ...] | list[str] = NEIGHBOUR_TABLES) -> np.ndarray:
    """The [recipe, table] matrix the page kernel blends with, recipes in ``RECIPES`` order."""
    rows = {recipe: weights[recipe] for recipe in RECIPES}
    if "viewed_near" not in tables and rows["similar"] is DEFAULT_WEIGHTS["similar"]:
        rows["similar"] = SIMILAR_WITHOUT_NEAR
    return np.stack([weight_row(rows[recipe], tables) for recipe in RECIPES])


def _finite(value: float) -> bool:
    return math.isfinite(value) and value >= 0


def tuned_weights(tune: Tune | None) -> dict[str, dict[str, float]]:
    """The defaults with each recipe the manifest names replaced; unknown recipes and weights
    that are not finite and non-negative are ignored (a manifest is data, not trusted code)."""
    weights = dict(DEFAULT_WEIGHTS)
    for recipe, row in (tune.weights if tune is not None else {}).items():
        if recipe in weights:
            weights[recipe] = {t: float(w) for t, w in row.items() if _finite(float(w))}
    return weights


def resolve(settings: Settings, tune: Tune | None, tables: tuple[str, ...] | list[str] = NEIGHBOUR_TABLES
            ) -> Tunables:
    """The tunables one snapshot serves with: defaults < ``tune`` < explicit ``settings``."""
    given = settings.given()
    half_life = settings.history_half_life
    if "history_half_life" not in given and tune is not None and tune.history_half_life is not None \
            and _finite(tune.history_half_life):
        half_life = tune.history_half_life
    similar = settings.similar_history_half_life
    if "similar_history_half_life" not in given and tune is not None and tune.similar_history_half_life is not None \
            and _finite(tune.similar_history_half_life):
        similar = tune.similar_history_half_life
    lo, hi = settings.upsell_band
    matrix = weight_matrix(tuned_weights(tune), tables)
    matrix.flags.writeable = False
    return Tunables(table_weights=matrix, history_half_life=float(half_life),
                    similar_half_life=float(similar),
                    max_per_category=int(settings.max_per_category), upsell_lo=float(lo), upsell_hi=float(hi),
                    addon_cap=float(settings.addon_cap), addon_share=float(settings.addon_cart_share),
                    favourite_half_life=4.0, purchase_weight=0.5, gap_stretch=1.5)
