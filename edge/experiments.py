"""A/B buckets: a deterministic split of shoppers into ``personalized`` and ``control``.

The bucket is a pure function of the shopper's id (user, else session), the experiment salt
and the control share, so every worker and every device of a known customer agrees without
storing anything, and the same request always gets the same bucket (the ETag stays right).
"""

from __future__ import annotations

import hashlib
import time

from edge.config import Settings
from edge.errors import SkyltError
from edge.recommend import Filters, hide
from edge.rules.control import control_slot
from edge.scoring import merchandise as merch
from edge.scoring.merchandise import EMPTY
from edge.scoring.page import SLOT_FIRST
from edge.slots.chain import SlotResult, run_chain
from edge.slots.compiled import page_rules
from edge.slots.context import Context
from edge.slots.programs import slot_rows
from edge.slots.strategies import bestsellers, favourite_category
from edge.slots.titles import title as title_of
from edge.store import Snapshot

PERSONALIZED = "personalized"
CONTROL = "control"
_SCALE = float(1 << 64)


class Experiment:
    def __init__(self, salt: str, control_share: float) -> None:
        if not 0.0 <= control_share <= 1.0:
            raise SkyltError(f"setting control_share: {control_share} is not between 0 and 1")
        self.salt = salt.encode()
        self.control_share = control_share

    def position(self, unit: str) -> float:
        """Where ``unit`` falls in [0, 1): uniform over units, fixed for a salt."""
        digest = hashlib.blake2b(unit.encode(), key=self.salt[:64], digest_size=8).digest()
        return int.from_bytes(digest, "big") / _SCALE

    def bucket(self, user: str | None, session: str | None) -> str:
        """A shopper without user or session cannot be followed, so is never held out."""
        unit = user if user is not None else session
        if unit is None or self.control_share <= 0.0:
            return PERSONALIZED
        return CONTROL if self.position(unit) < self.control_share else PERSONALIZED


def plan_control(snap: Snapshot, ctx: Context, slots: tuple[str, ...], settings: Settings) -> list[SlotResult]:
    """The control answer: the page's slots, same names and titles, each filled with bestsellers
    (by segment, then region, then overall) under the usual filters and de-duplication."""
    hidden = ctx.seen
    results = []
    rules = page_rules(snap, ctx.page)  # merchandising rules: the shop's decisions hold in both buckets
    for slot in slots:
        started = time.perf_counter()
        if rules is not EMPTY:
            scope = merch.scope_of(rules, int(slot_rows(ctx.page, (slot,))[0, SLOT_FIRST]))
            picked = control_slot(snap, ctx, settings, rules, scope, hidden)
        else:
            filters = Filters(exclude=hidden, price_lo=ctx.price_lo, price_hi=ctx.price_hi, cat_allow=ctx.cat_allow,
                              max_per_category=settings.max_per_category)
            picked = run_chain(filters, ctx.n, bestsellers(snap, ctx, settings))
        if picked.ids.size:
            hidden = hide(hidden, picked.ids)
        title = title_of(snap, slot, favourite_category(snap, ctx) if slot == "category_picks" else -1)
        results.append(SlotResult(slot, title, picked, time.perf_counter() - started))
    return results
