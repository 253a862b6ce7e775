"""The integer aggregates of a build: everything the tables are scored from.

Both engines produce an ``Aggregates``: the single-node builder with numpy (``aggregate``
below), the Spark builder with Spark (``edge.build.spark``). Every float in a snapshot is
then computed from it by the same code (``edge.build.pipeline.arrays_from``), so the two
engines agree to the bit and break ties the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from edge.build import tables
from edge.build.frames import Events, EventType
from edge.build.tables import Lines, Pairs

# What a row of a behavioural table may hold per group; the Spark builder uses the same.
ALSO_VIEWED_MAX_ITEMS = 100      # distinct items of a session that pair up
VIEWED_NEXT_WINDOW = 3           # steps ahead a follow counts
VIEWED_NEXT_MAX_ITEMS = 200      # steps of a session that count
BASKET_MAX_ITEMS = 50            # distinct lines of an order that pair up
HISTORY_MAX_ITEMS = 50           # most recent distinct purchases of a customer that pair up

PURCHASE_KINDS = (int(EventType.PURCHASE),)
VIEW_KINDS = (int(EventType.VIEW), int(EventType.CLICK))
# Social-proof arrays: name -> (days back from now, kinds counted).
SOCIAL = {"purchases_7d": (7, PURCHASE_KINDS), "purchases_30d": (30, PURCHASE_KINDS), "views_7d": (7, VIEW_KINDS)}


@dataclass(frozen=True)
class Aggregates:
    n_items: int
    n_events: int
    counts: dict[str, int]               # events_<kind>, orders, sessions, users
    lines: Lines                         # behind popularity, bestsellers and trending
    pairs: dict[str, Pairs]              # behind each behavioural neighbour table
    social: dict[str, np.ndarray]        # int32[n_items] per SOCIAL entry
    regions: list[str] = field(default_factory=list)
    segments: list[str] = field(default_factory=list)


def aggregate(events: Events, n_items: int, now: int, window: int, neighbours: bool = True) -> Aggregates:
    """The single-node engine's aggregates of ``events``; ``window`` is the also-viewed window."""
    pairs: dict[str, Pairs] = {}
    if neighbours:
        pairs = {
            "also_viewed": tables.also_viewed_pairs(events, n_items, window, max_items=ALSO_VIEWED_MAX_ITEMS),
            "viewed_next": tables.viewed_next_pairs(events, n_items, window=VIEWED_NEXT_WINDOW,
                                                    max_items=VIEWED_NEXT_MAX_ITEMS),
            "bought_together": tables.bought_together_pairs(events, n_items, max_items=BASKET_MAX_ITEMS),
            "also_bought": tables.also_bought_pairs(events, n_items, max_items=HISTORY_MAX_ITEMS),
        }
    kinds = np.bincount(events.kind.astype(np.int64), minlength=len(EventType))
    counts = {f"events_{t.name.lower()}": int(kinds[t]) for t in EventType}
    counts["orders"] = int(np.unique(events.order[events.order >= 0]).shape[0])
    counts["sessions"] = int(np.unique(events.session).shape[0])
    counts["users"] = int(np.unique(events.user[events.user >= 0]).shape[0])
    social = {name: tables.recent_counts(events, n_items, now, days, kinds_)
              for name, (days, kinds_) in SOCIAL.items()}
    return Aggregates(n_items=n_items, n_events=len(events), counts=counts, lines=tables.event_lines(events, now),
                      pairs=pairs, social=social, regions=list(events.regions), segments=list(events.segments))
