"""What one ingest batch changes in the trigger state: signed ``marketing`` flags and the known customers' events.

Only a signed user (a valid ``user_token``, or a server key) reaches here: ``judge`` drops the flag with an
unsigned user. ``true`` is kept only while notify can use it (``sealing``: a ``secret_key`` and somewhere to
send); ``false`` always deletes what was kept, even from an event sent with ``consent: false``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from edge.config import Settings
from edge.events.schemas import StoredEvent, StoredImpression
from edge.notify.ids import seal_id, sealing
from edge.notify.state import Activity, Consent, NotifyStore

TRACKED = ("view", "click", "cart", "purchase")


@dataclass
class Notes:
    secret_key: str | None  # None: a `marketing: true` is not kept
    consents: list[Consent] = field(default_factory=list)
    activity: list[Activity] = field(default_factory=list)

    @classmethod
    def of(cls, settings: Settings) -> Notes:
        return cls(settings.secret_key if sealing(settings) else None)

    def marketing(self, user_hash: str, customer: str, given: bool, ts: float) -> None:
        if not given:
            self.consents.append(Consent(user_hash, None, ts))
        elif self.secret_key is not None:
            self.consents.append(Consent(user_hash, seal_id(self.secret_key, customer), ts))

    def stored(self, line: StoredEvent | StoredImpression) -> None:
        """A stored line whose ``user_id`` is hashed already."""
        if isinstance(line, StoredEvent) and line.user_id is not None and line.type in TRACKED:
            self.activity.append(Activity(line.user_id, line.type, float(line.ts), line.item_id, line.order_id))

    def __bool__(self) -> bool:
        return bool(self.consents or self.activity)

    def apply_to(self, store: NotifyStore) -> None:
        """Into the trigger state in one transaction. With notify off, an earlier state takes only withdrawals.
        Every writer goes through here: the ingest, Shopify's webhooks and ``skylt shopify sync``."""
        activity = self.activity if self.secret_key is not None else []
        if self.consents or activity:
            store.apply(self.consents, activity)
