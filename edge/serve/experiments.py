"""A/B buckets: a deterministic split of shoppers into ``personalized`` and ``control``.

The bucket is a pure function of the shopper's id (user, else session), the experiment salt
and the control share, so every worker and every device of a known customer agrees without
storing anything, and the same request always gets the same bucket (the ETag stays right).
The control answer is the control program (``edge.slots.programs.CONTROL``): the page's slots,
same names and titles, each filled with bestsellers (by segment, then region, then overall)
under the usual filters and de-duplication, planned by the same compiled call as the other bucket.
"""

from __future__ import annotations

import hashlib

from edge.errors import SkyltError

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
