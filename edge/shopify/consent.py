"""A Shopify customer's marketing consent -> Skylt's ``marketing`` flag (docs/email.md, "Where consent comes from").

Shopify keeps a state per channel. Webhooks carry it in lower case: since API version 2025-01 only in the topics
``customers_email_marketing_consent/update`` (``{customer_id, email_marketing_consent: {state, ...}}``) and
``customers_marketing_consent/update`` (SMS: ``{id, sms_marketing_consent: {state, ...}}``); before, also in the
customer object of ``customers/*`` and ``orders/*`` payloads. The Admin GraphQL API has it in upper case,
``emailMarketingConsent.marketingState`` and ``smsMarketingConsent.marketingState``. Skylt's flag is one for both
channels (the ESP applies its own per-channel subscription when it sends):

- ``subscribed`` on either channel: given (True);
- otherwise a definite no (``unsubscribed``, ``not_subscribed``, ``redacted``) on a channel: refused (False), which
  withdraws what was kept;
- ``pending``, ``invalid``, an unknown word or no state at all: no change (None).

Only signed paths read it: webhooks verified by HMAC and the sync's authenticated Admin API answers.
"""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from edge.config import Settings

GIVEN = frozenset({"subscribed"})
REFUSED = frozenset({"unsubscribed", "not_subscribed", "redacted"})
# A webhook grant whose payload time is older than this is not taken (withdrawals always are): Shopify does not
# order deliveries, so a late retry of an old "subscribed" must not undo a newer "unsubscribed". The grant is
# taken from the customer's next consent change, or the next sync, instead.
GRANT_MAX_AGE = 3600.0

_CHANNELS = (("email_marketing_consent", "state"), ("sms_marketing_consent", "state"),
             ("emailMarketingConsent", "marketingState"), ("smsMarketingConsent", "marketingState"))


def _states(customer: dict[str, Any]) -> list[str]:
    found = []
    for key, field in _CHANNELS:
        consent = customer.get(key)
        state = consent.get(field) if isinstance(consent, dict) else None
        if isinstance(state, str):
            found.append(state.strip().lower())
    return found


def marketing_of(customer: Any) -> bool | None:
    """The flag a customer object (webhook or GraphQL shape) carries; None: no change."""
    if not isinstance(customer, dict):
        return None
    states = _states(customer)
    if any(s in GIVEN for s in states):
        return True
    if any(s in REFUSED for s in states):
        return False
    return None


def seconds_of(value: Any) -> float | None:
    """An ISO-8601 time in a payload as Unix seconds; None when it is missing or not a time."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        dt = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        ts = (dt if dt.tzinfo else dt.replace(tzinfo=UTC)).timestamp()
    except (ValueError, OverflowError):  # not a time, or one out of datetime's range once in UTC
        return None
    return ts if math.isfinite(ts) else None


def consent_time(payload: dict[str, Any]) -> Any:
    """When a consent payload's state was set: the latest ``consent_updated_at`` of its channels."""
    times = [c.get("consent_updated_at") for key, _ in _CHANNELS[:2]
             if isinstance(c := payload.get(key), dict) and isinstance(c.get("consent_updated_at"), str)]
    return max(times, key=lambda t: seconds_of(t) or 0.0) if times else None


def webhook_marketing(customer: Any, as_of: Any, now: float) -> bool | None:
    """The flag a verified webhook payload may set: a withdrawal always, a grant only from a payload whose own
    time (``as_of``: the consent's ``consent_updated_at``, an order's ``created_at``) is recent."""
    flag = marketing_of(customer)
    if flag:
        when = seconds_of(as_of)
        if when is None or now - when > GRANT_MAX_AGE:
            return None
    return flag


@contextlib.contextmanager
def recorder(settings: Settings) -> Iterator[Callable[[dict[str, bool]], None]]:
    """For ``skylt shopify sync``: records ``{customer id: flag}`` in the server's trigger state, keyed by the
    server's own hashing of the id, as the ingest records a signed ``marketing`` (edge/notify/consent.py)."""
    from edge.notify.consent import Notes
    from edge.shared.factory import open_notify_state, open_profiles

    profiles = open_profiles(settings)
    store = open_notify_state(settings)

    def record(found: dict[str, bool]) -> None:
        notes, now = Notes.of(settings), time.time()
        for customer, flag in found.items():
            notes.marketing(profiles.key(customer), customer, flag, now)
        notes.apply_to(store)

    try:
        yield record
    finally:
        store.close()
        profiles.close()
