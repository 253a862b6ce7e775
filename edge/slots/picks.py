"""What planning a page gives back to Python callers: each slot's picks, explained."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Picked:
    ids: np.ndarray       # int32
    scores: np.ndarray    # float32
    reasons: list[bytes]  # each a JSON string literal


@dataclass(frozen=True)
class SlotResult:
    slot: str
    title: str
    picked: Picked
    seconds: float
