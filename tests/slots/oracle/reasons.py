"""Short explanations with their evidence ("Bought together 41 times").

Explainers return each reason already encoded as a JSON string literal, so the response
encoder splices bytes and no request formats or encodes a reason twice.
"""

from __future__ import annotations

from collections.abc import Callable

import msgspec
import numpy as np

from edge.scoring.evidence import evidence
from edge.slots.texts import counted, saves, step_up
from edge.store import Snapshot

Explainer = Callable[[np.ndarray], list[bytes]]
_encode = msgspec.json.Encoder().encode


def popularity(snap: Snapshot, fallback: str = "Bestseller") -> Explainer:
    week, month = snap.arrays["purchases_7d"], snap.arrays["purchases_30d"]
    plain = _encode(fallback)

    def explain(ids: np.ndarray) -> list[bytes]:
        out = []
        for w, m in zip(week[ids].tolist(), month[ids].tolist(), strict=True):
            if w > 0:
                out.append(counted("Bought {times} this week", w))
            elif m > 0:
                out.append(counted("Bought {times} this month", m))
            else:
                out.append(plain)
        return out
    return explain


def trending(snap: Snapshot) -> Explainer:
    views, bought = snap.arrays["views_7d"], snap.arrays["purchases_7d"]
    plain = _encode("Trending")

    def explain(ids: np.ndarray) -> list[bytes]:
        return [counted("Trending: bought {times} this week", b) if b > 0
                else counted("Trending: viewed {times} this week", v) if v > 0
                else plain for b, v in zip(bought[ids].tolist(), views[ids].tolist(), strict=True)]
    return explain


def co_occurrence(snap: Snapshot, seeds: np.ndarray, tables: tuple[tuple[str, str], ...],
                  fallback: str) -> Explainer:
    """The first table (in order) whose counts link a seed to the item names the evidence.

    ``tables`` pairs a table name with a template holding ``{times}``."""
    a = snap.arrays
    plain = _encode(fallback)

    def explain(ids: np.ndarray) -> list[bytes]:
        out: list[bytes | None] = [None] * ids.shape[0]
        missing = ids.shape[0]
        for table, template in tables:
            if table not in snap.table_index:  # a snapshot from before the table: no evidence, as served
                continue
            counts, _ = evidence(a["nbr_indptr"], a["nbr_indices"], a["nbr_counts"], snap.table_index[table],
                                 seeds, ids)
            for j, count in enumerate(counts.tolist()):
                if count > 0 and out[j] is None:
                    out[j] = counted(template, count)
                    missing -= 1
            if not missing:
                break
        return [plain if r is None else r for r in out]
    return explain


def fixed(text: str) -> Explainer:
    encoded = _encode(text)

    def explain(ids: np.ndarray) -> list[bytes]:
        return [encoded] * ids.shape[0]
    return explain


def price_delta(snap: Snapshot, anchor_price: float, cheaper: bool) -> Explainer:
    price = snap.arrays["price"]

    def explain(ids: np.ndarray) -> list[bytes]:
        if cheaper:
            return [saves(anchor_price - p) for p in price[ids].tolist()]
        return [step_up(100 * (p / anchor_price - 1)) for p in price[ids].tolist()]
    return explain


def below_gap(snap: Snapshot, gap: float | None, base: Explainer) -> Explainer:
    """Add-ons that close the free-shipping gap say so."""
    price = snap.arrays["price"]
    closes = _encode("Gets you free shipping")

    def explain(ids: np.ndarray) -> list[bytes]:
        reasons = base(ids)
        if gap is None:
            return reasons
        return [closes if p >= gap else r for p, r in zip(price[ids].tolist(), reasons, strict=True)]
    return explain
