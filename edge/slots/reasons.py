"""Short explanations with their evidence ("Bought together 41 times")."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from edge.scoring.evidence import evidence
from edge.store import Snapshot

Explainer = Callable[[np.ndarray], list[str]]


def _times(count: int) -> str:
    return "once" if count == 1 else f"{count} times"


def popularity(snap: Snapshot, fallback: str = "Bestseller") -> Explainer:
    week, month = snap.arrays["purchases_7d"], snap.arrays["purchases_30d"]

    def explain(ids: np.ndarray) -> list[str]:
        out = []
        for i in ids:
            if week[i] > 0:
                out.append(f"Bought {_times(int(week[i]))} this week")
            elif month[i] > 0:
                out.append(f"Bought {_times(int(month[i]))} this month")
            else:
                out.append(fallback)
        return out
    return explain


def trending(snap: Snapshot) -> Explainer:
    views, bought = snap.arrays["views_7d"], snap.arrays["purchases_7d"]

    def explain(ids: np.ndarray) -> list[str]:
        return [f"Trending: bought {_times(int(bought[i]))} this week" if bought[i] > 0
                else f"Trending: viewed {_times(int(views[i]))} this week" if views[i] > 0
                else "Trending" for i in ids]
    return explain


def co_occurrence(snap: Snapshot, seeds: np.ndarray, tables: tuple[tuple[str, str], ...],
                  fallback: str) -> Explainer:
    """The first table (in order) whose counts link a seed to the item names the evidence.

    ``tables`` pairs a table name with a template holding ``{times}``."""
    a = snap.arrays

    def explain(ids: np.ndarray) -> list[str]:
        out = [fallback] * ids.shape[0]
        open_ = np.ones(ids.shape[0], dtype=bool)
        for table, template in tables:
            counts, _ = evidence(a["nbr_indptr"], a["nbr_indices"], a["nbr_counts"], snap.table_index[table],
                                 seeds, ids)
            found = open_ & (counts > 0)
            for j in np.flatnonzero(found).tolist():
                out[j] = template.format(times=_times(int(counts[j])))
            open_ &= ~found
            if not open_.any():
                break
        return out
    return explain


def fixed(text: str) -> Explainer:
    def explain(ids: np.ndarray) -> list[str]:
        return [text] * ids.shape[0]
    return explain


def price_delta(snap: Snapshot, anchor_price: float, cheaper: bool) -> Explainer:
    price = snap.arrays["price"]

    def explain(ids: np.ndarray) -> list[str]:
        out = []
        for i in ids:
            p = float(price[i])
            if cheaper:
                out.append(f"Saves {anchor_price - p:.2f}, similar item")
            else:
                out.append(f"A step up: {100 * (p / anchor_price - 1):.0f}% more, same category")
        return out
    return explain


def below_gap(snap: Snapshot, gap: float | None, base: Explainer) -> Explainer:
    """Add-ons that close the free-shipping gap say so."""
    price = snap.arrays["price"]

    def explain(ids: np.ndarray) -> list[str]:
        reasons = base(ids)
        if gap is None:
            return reasons
        return ["Gets you free shipping" if float(price[i]) >= gap else r for i, r in zip(ids, reasons, strict=True)]
    return explain

