"""Which triggers are due for a consenting customer, from their trigger times and their profile.

- ``cart``: the profile's cart is not empty, nothing was bought since the last add, the add is
  ``notify_cart_hours`` old;
- ``viewed``: the last view is ``notify_view_hours`` old and nothing was carted or bought since (and no cart
  message is due, which would be the second message about the same visit);
- ``order``: the last order is ``notify_order_days`` old.

A trigger is named by the customer, its kind and the time it comes from (``<user>:<kind>:<ms>``): a new add to the
cart makes a new trigger, the same abandoned cart stays the same one however often ``skylt notify`` runs. A
trigger that fell due more than ``notify_expire_hours`` ago is dropped, never sent late.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from edge.config import Settings
from edge.errors import SkyltError
from edge.notify.state import Customer
from edge.profiles.store import Profile

HOUR = 3600.0
VIEWED_CONTEXT = 5  # the most recent views a browse message is about


@dataclass(frozen=True)
class Trigger:
    user: str
    kind: str
    at: float            # the activity it comes from
    due: float
    context: list[str]   # the cart, the viewed items (most recent last) or the order's lines
    purchased: list[str]

    @property
    def key(self) -> str:
        return f"{self.user}:{self.kind}:{int(self.at * 1000)}"


def due_triggers(c: Customer, profile: Profile | None, now: float, settings: Settings) -> list[Trigger]:
    found: list[Trigger] = []
    bought = list(profile.purchases) if profile is not None else []
    order_at = c.order_at or 0.0
    if c.cart_at and profile is not None and profile.cart and order_at < c.cart_at:
        found.append(Trigger(c.user, "cart", c.cart_at, c.cart_at + settings.notify_cart_hours * HOUR,
                             list(profile.cart), bought))
    if (c.view_at and profile is not None and profile.views and (c.cart_at or 0.0) < c.view_at
            and order_at < c.view_at):
        found.append(Trigger(c.user, "viewed", c.view_at, c.view_at + settings.notify_view_hours * HOUR,
                             profile.views[-VIEWED_CONTEXT:], bought))
    if c.order_at and c.order_items:
        found.append(Trigger(c.user, "order", c.order_at, c.order_at + settings.notify_order_days * 24 * HOUR,
                             list(c.order_items), bought))
    expire = settings.notify_expire_hours * HOUR
    due = [t for t in found if t.due <= now <= t.due + expire]
    if any(t.kind == "cart" for t in due):  # views after carting: the cart's message says it better, once
        due = [t for t in due if t.kind != "viewed"]
    return sorted(due, key=lambda t: t.due)


_SPAN = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


@dataclass(frozen=True)
class QuietHours:
    start: time | None
    end: time | None
    zone: ZoneInfo

    @classmethod
    def of(cls, settings: Settings) -> QuietHours:
        try:
            zone = ZoneInfo(settings.notify_timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise SkyltError(f"setting notify_timezone: {settings.notify_timezone!r} is no IANA time zone") from exc
        if not settings.notify_quiet_hours.strip():
            return cls(None, None, zone)
        m = _SPAN.match(settings.notify_quiet_hours)
        if m is None or int(m[1]) > 23 or int(m[3]) > 23 or int(m[2]) > 59 or int(m[4]) > 59:
            raise SkyltError("setting notify_quiet_hours: expected HH:MM-HH:MM, e.g. 21:00-08:00")
        return cls(time(int(m[1]), int(m[2])), time(int(m[3]), int(m[4])), zone)

    def quiet(self, now: float) -> bool:
        if self.start is None or self.end is None or self.start == self.end:
            return False
        local = datetime.fromtimestamp(now, UTC).astimezone(self.zone).time()
        if self.start < self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end  # across midnight
