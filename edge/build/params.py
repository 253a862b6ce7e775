"""The knobs of a build, shared by the builder's steps and both engines."""

from __future__ import annotations

from collections.abc import Callable

import msgspec

Progress = Callable[[str], None]


class BuildParams(msgspec.Struct, kw_only=True, frozen=True):
    """Knobs of a build; all are recorded in the manifest."""

    k: int = 50                      # neighbours kept per item and table
    window: int = 5                  # co-view window: each item pairs with the next 5 distinct items
    half_life_days: float = 30.0     # bestseller decay relative to `now`
    trending_days: float = 7.0       # what "recent" means for trending and social proof
    group_top: int = 1000            # items kept per category/region/segment ranking
    keep: int = 3                    # published versions kept on disk
