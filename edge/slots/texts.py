"""Reason texts by id: what the compiled planner's (text id, number) pairs say.

``edge.scoring.page`` explains each pick as a text id and a number (a count, or a price
difference); this registry turns the pair into the JSON-encoded reason the response
splices. Texts shared by every program come first, in the order the kernel's ``T_*``
constants give them.
"""

from __future__ import annotations

import msgspec
import numpy as np

from edge.scoring import page as k
from edge.scoring.splice import COUNTED, FIXED, SAVES, STEP_UP, fixed, times

_encode = msgspec.json.Encoder().encode
STEP_UP_TEXT = "A step up: {value}% more, same category"
SAVES_TEXT = "Saves {value}, similar item"


def step_up(percent: float) -> bytes:
    return _encode(STEP_UP_TEXT.format(value=fixed(percent, 0)))


def saves(amount: float) -> bytes:
    return _encode(SAVES_TEXT.format(value=fixed(amount, 2)))


_counted_cache: dict[tuple[str, int], bytes] = {}


def counted(template: str, count: int) -> bytes:
    """``template`` with its count, JSON-encoded; the same few reasons recur, so keep them."""
    key = (template, count)
    hit = _counted_cache.get(key)
    if hit is None:
        if len(_counted_cache) > 50_000:
            _counted_cache.clear()
        hit = _counted_cache[key] = _encode(template.format(times=times(count)))
    return hit


class Texts:
    def __init__(self) -> None:
        self._ids: dict[str, int] = {}
        self.kinds: list[int] = []
        self.templates: list[str] = []
        self.encoded: list[bytes | None] = []  # fixed texts, encoded once
        self._tables: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None

    def add(self, template: str, kind: int | None = None) -> int:
        """The id of ``template``; "{times}" in it makes it a counted text."""
        if template in self._ids:
            return self._ids[template]
        if kind is None:
            kind = COUNTED if "{times}" in template else FIXED
        self._tables = None
        self._ids[template] = len(self.kinds)
        self.kinds.append(kind)
        self.templates.append(template)
        self.encoded.append(_encode(template) if kind == FIXED else None)
        return self._ids[template]

    def render(self, text_ids: list[int], numbers: list[float]) -> list[bytes]:
        out = []
        encoded, kinds, templates = self.encoded, self.kinds, self.templates
        for t, v in zip(text_ids, numbers, strict=True):
            fixed = encoded[t]
            if fixed is not None:
                out.append(fixed)
            elif kinds[t] == COUNTED:
                out.append(counted(templates[t], int(v)))
            elif kinds[t] == STEP_UP:
                out.append(step_up(v))
            else:
                out.append(saves(v))
        return out

    def tables(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(kinds, offsets, blob) for ``edge.scoring.splice.splice_items``: each text's JSON before and
        after its number."""
        if self._tables is None:
            parts: list[bytes] = []
            for kind, template in zip(self.kinds, self.templates, strict=True):
                if kind == FIXED:
                    parts += [_encode(template), b""]
                else:
                    before, after = _encode(template).split(b"{times}" if kind == COUNTED else b"{value}")
                    parts += [before, after]
            offsets = np.zeros(len(parts) + 1, dtype=np.int64)
            offsets[1:] = np.cumsum([len(p) for p in parts])
            self._tables = (np.array(self.kinds, dtype=np.int64), offsets,
                            np.frombuffer(b"".join(parts), dtype=np.uint8).copy())
        return self._tables


TEXTS = Texts()
for _tid, _template, _kind in (
        (k.T_WEEK, "Bought {times} this week", COUNTED),
        (k.T_MONTH, "Bought {times} this month", COUNTED),
        (k.T_TRENDING_BOUGHT, "Trending: bought {times} this week", COUNTED),
        (k.T_TRENDING_VIEWED, "Trending: viewed {times} this week", COUNTED),
        (k.T_TRENDING, "Trending", FIXED),
        (k.T_STEP_UP, STEP_UP_TEXT, STEP_UP),
        (k.T_SAVES, SAVES_TEXT, SAVES),
        (k.T_FREE_SHIPPING, "Gets you free shipping", FIXED)):
    assert TEXTS.add(_template, _kind) == _tid

# Merchandising rules (edge/scoring/merchandise.py): a pinned pick, and a boosted one.
PINNED = TEXTS.add("Picked by the shop")
FEATURED = TEXTS.add("Featured by the shop")
